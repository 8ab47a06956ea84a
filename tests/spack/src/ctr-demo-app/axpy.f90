! y := a*x + y over n elements, called from C++ as demo_axpy
subroutine demo_axpy(n, a, x, y) bind(c, name="demo_axpy")
  use iso_c_binding
  integer(c_int), value :: n
  real(c_double), value :: a
  real(c_double), intent(in) :: x(n)
  real(c_double), intent(inout) :: y(n)
  y = a * x + y
end subroutine demo_axpy
