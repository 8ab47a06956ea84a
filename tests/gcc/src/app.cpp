#include "shapes.hpp"
#include <algorithm>
#include <iostream>
#include <stdexcept>

int main()
{
    auto shapes = make_shapes(10);
    std::sort(shapes.begin(), shapes.end(),
              [](const auto &a, const auto &b) { return a->area() < b->area(); });
    std::cout << shapes.front()->name() << " " << sum_areas<long>(shapes) << "\n";
    try {
        make_shapes(-1);
    } catch (const std::invalid_argument &e) {
        std::cout << "caught " << e.what() << "\n";
    }
    return 0;
}
