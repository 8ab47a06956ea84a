! A module with a derived type, generic interface and module procedures;
! solver.f90 and prog.f90 use it through its .mod file.
module vecmod
  implicit none
  private
  public :: vec, norm2v, axpy, operator(+)

  type :: vec
    real(8), allocatable :: v(:)
  end type vec

  interface operator(+)
    module procedure vec_add
  end interface operator(+)

contains

  pure function vec_add(a, b) result(c)
    type(vec), intent(in) :: a, b
    type(vec) :: c
    c%v = a%v + b%v
  end function vec_add

  pure real(8) function norm2v(a)
    type(vec), intent(in) :: a
    norm2v = sqrt(sum(a%v * a%v))
  end function norm2v

  subroutine axpy(alpha, x, y)
    real(8), intent(in) :: alpha
    real(8), intent(in) :: x(:)
    real(8), intent(inout) :: y(:)
    integer :: i
    do i = 1, size(x)
      y(i) = alpha * x(i) + y(i)
    end do
  end subroutine axpy

end module vecmod
