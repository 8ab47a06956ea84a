! dgemm: repeated dense products X <- A * X of n x n matrices (default
! n = 600) with the loop kernel of dgemm_kernels; the last product is checked
! column by column against the MATMUL intrinsic.
!   dgemm [SCALE [N]]   products = 14 * SCALE
! Prints one line, "dgemm: check=<sum of squares of X / n>".
program dgemm
  use dgemm_kernels
  implicit none
  integer :: n, reps, r, j, cols
  real(dp) :: scale, check, relerr
  real(dp), allocatable :: a(:, :), x(:, :), y(:, :), ref(:)
  character(len=64) :: arg, num
  integer :: e

  scale = 1.0_dp
  n = 600
  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read (arg, *) scale
  end if
  if (command_argument_count() >= 2) then
    call get_command_argument(2, arg)
    read (arg, *) n
  end if
  if (.not. (scale > 0.0_dp) .or. n < 1) then
    write (0, '(a)') 'usage: dgemm [SCALE>0 [N>=1]]'
    stop 2
  end if
  reps = max(1, nint(14 * scale))

  allocate (a(n, n), x(n, n), y(n, n), ref(n))
  call fill_matrix(n, 1, a)
  call fill_matrix(n, 2, x)
  do r = 1, reps
    call dgemm_blocked(n, a, x, y)
    if (r < reps) x = y
  end do

  ! y = a * x for the last x: compare a few columns with MATMUL.
  relerr = 0.0_dp
  cols = min(n, 8)
  do j = 1, n, max(1, n / cols)
    ref = matmul(a, x(:, j))
    relerr = max(relerr, maxval(abs(ref - y(:, j))) / max(maxval(abs(ref)), tiny(1.0_dp)))
  end do

  check = sum(y * y) / n
  ! Same form as C's "%.15e": lower-case e, at least two exponent digits.
  write (num, '(es24.15e3)') check
  num = adjustl(num)
  e = index(num, 'E')
  num(e:e) = 'e'
  if (num(e + 2:e + 2) == '0') num = num(:e + 1) // num(e + 3:)
  write (*, '(a, a)') 'dgemm: check=', trim(num)
  write (0, '(a, i0, a, i0, a, es9.2)') 'dgemm: n=', n, ' products=', reps, &
    ' matmul max rel diff=', relerr
  if (relerr > 1.0e-10_dp) stop 1
end program dgemm
