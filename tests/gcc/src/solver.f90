module solver
  use vecmod
  implicit none
contains
  subroutine relax(n, steps, r)
    integer, intent(in) :: n, steps
    real(8), intent(out) :: r
    type(vec) :: a, b
    integer :: k
    allocate(a%v(n), b%v(n))
    a%v = 1.0d0
    b%v = 0.5d0
    do k = 1, steps
      call axpy(0.5d0, a%v, b%v)
    end do
    a = a + b
    r = norm2v(a)
  end subroutine relax
end module solver
