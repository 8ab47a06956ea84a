program ompf
  use omp_lib
  implicit none
  integer :: i
  real(8) :: s
  s = 0
  !$omp parallel do reduction(+:s)
  do i = 1, 100000
    s = s + mod(i, 13) * 0.25d0
  end do
  !$omp end parallel do
  print '(F12.2)', s
end program ompf
