! Fortran half of the mixed program.
module fside
  use iso_c_binding
  implicit none
  interface
    real(c_double) function c_sum(n, x) bind(C, name="c_sum")
      import :: c_int, c_double
      integer(c_int), value :: n
      real(c_double), intent(in) :: x(n)
    end function c_sum
  end interface
contains
  subroutine f_scale(n, x, factor) bind(C, name="f_scale")
    integer(c_int), value :: n
    real(c_double), intent(inout) :: x(n)
    real(c_double), value :: factor
    x = x * factor
    if (c_sum(n, x) < 0) x = 0
  end subroutine f_scale
end module fside
