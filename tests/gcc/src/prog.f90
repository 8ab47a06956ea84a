program prog
  use solver
  implicit none
  real(8) :: r
  call relax(1000, 10, r)
  print '(F12.3)', r
end program prog
