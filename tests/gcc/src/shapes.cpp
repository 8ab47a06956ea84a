#include "shapes.hpp"
#include <map>
#include <stdexcept>

namespace {
struct Circle final : Shape {
    double r;
    explicit Circle(double r_) : r(r_) {}
    double area() const override { return 3.14159265358979 * r * r; }
    std::string name() const override { return "circle"; }
};
struct Rect final : Shape {
    double w, h;
    Rect(double w_, double h_) : w(w_), h(h_) {}
    double area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};
} // namespace

std::vector<std::unique_ptr<Shape>> make_shapes(int n)
{
    if (n < 0)
        throw std::invalid_argument("negative count");
    std::vector<std::unique_ptr<Shape>> v;
    std::map<int, int> seen;
    for (int i = 0; i < n; i++) {
        if (i % 2)
            v.push_back(std::make_unique<Circle>(i));
        else
            v.push_back(std::make_unique<Rect>(i, i + 1));
        seen[i % 3]++;
    }
    return v;
}
