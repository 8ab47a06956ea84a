#!/bin/sh
# Print a large synthetic C++ translation unit for the GCC capture benchmark:
# N (default 200) classes, each instantiating its own set of standard
# containers, algorithms, lambdas and streams, so that both the front end and
# the optimizers have real work.  Deterministic: the same N gives the same file.
n=${1:-200}
cat <<'HDR'
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>
template <typename K, typename V> struct Table {
    std::map<K, std::vector<V>> rows;
    void add(const K &k, V v) { rows[k].push_back(v); }
    V total() const {
        V s{};
        for (const auto &r : rows)
            s = std::accumulate(r.second.begin(), r.second.end(), s);
        return s;
    }
};
HDR
i=0
while [ "$i" -lt "$n" ]; do
    cat <<EOF
namespace u$i {
struct Key$i { int a, b; bool operator<(const Key$i &o) const { return a != o.a ? a < o.a : b < o.b; } };
class Unit$i {
    std::vector<std::string> names_;
    std::unordered_map<std::string, double> weights_;
    Table<Key$i, long> table_;
    std::function<double(double)> f_ = [](double x) { return x * $i.5 + 1; };
public:
    void fill(int n) {
        for (int k = 0; k < n; k++) {
            names_.push_back("n" + std::to_string(k * $i));
            weights_[names_.back()] = f_(k);
            table_.add(Key$i{k % 7, k % 3}, k * $i);
        }
    }
    std::string report() const {
        std::ostringstream os;
        std::vector<std::string> sorted(names_);
        std::sort(sorted.begin(), sorted.end(), [this](const std::string &x, const std::string &y) {
            return weights_.at(x) > weights_.at(y);
        });
        for (const auto &s : sorted)
            os << s << '=' << weights_.at(s) << ';';
        os << table_.total();
        return os.str();
    }
};
} // namespace u$i
std::string run$i(int n) { auto u = std::make_unique<u$i::Unit$i>(); u->fill(n); return u->report(); }
EOF
    i=$((i + 1))
done
