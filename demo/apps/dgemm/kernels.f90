! dgemm_kernels: dense matrix multiply written as loops.
!
! C = A * B for square column-major matrices, blocked for the caches.  The
! innermost loop runs down a column (contiguous i) and takes four k at a time,
! so it vectorizes (SSE2 at the baseline, AVX2/AVX-512 with FMA natively)
! while every C(i,j) is still accumulated in ascending k order: all builds add
! the same terms in the same order and differ only by FMA contraction.
module dgemm_kernels
  implicit none
  private
  public :: dgemm_blocked, fill_matrix

  integer, parameter, public :: dp = kind(1.0d0)
  integer, parameter :: nb_j = 64, nb_k = 128, nb_i = 256

contains

  subroutine dgemm_blocked(n, a, b, c)
    integer, intent(in) :: n
    real(dp), intent(in) :: a(n, n), b(n, n)
    real(dp), intent(out) :: c(n, n)
    integer :: i, j, k, ii, jj, kk, iend, jend, kend, k4

    c = 0.0_dp
    do jj = 1, n, nb_j
      jend = min(jj + nb_j - 1, n)
      do kk = 1, n, nb_k
        kend = min(kk + nb_k - 1, n)
        k4 = kk + ((kend - kk + 1) / 4) * 4 - 1     ! last k of the groups of 4
        do ii = 1, n, nb_i
          iend = min(ii + nb_i - 1, n)
          do j = jj, jend
            do k = kk, k4, 4
              do i = ii, iend
                c(i, j) = c(i, j) + a(i, k) * b(k, j) + a(i, k + 1) * b(k + 1, j) &
                                  + a(i, k + 2) * b(k + 2, j) + a(i, k + 3) * b(k + 3, j)
              end do
            end do
            do k = k4 + 1, kend
              do i = ii, iend
                c(i, j) = c(i, j) + a(i, k) * b(k, j)
              end do
            end do
          end do
        end do
      end do
    end do
  end subroutine dgemm_blocked

  ! Deterministic pseudo-random entries, uniform in [-1, 1) * sqrt(3 / n)
  ! (variance 1/n), so that a product keeps the norm of its operand roughly
  ! unchanged.
  subroutine fill_matrix(n, seed, a)
    integer, intent(in) :: n, seed
    real(dp), intent(out) :: a(n, n)
    integer :: i, j
    integer(8) :: s
    s = 2463534242_8 + seed
    do j = 1, n
      do i = 1, n
        s = modulo(s * 48271_8, 2147483647_8)
        a(i, j) = (2.0_dp * real(s, dp) / 2147483647.0_dp - 1.0_dp) * sqrt(3.0_dp / n)
      end do
    end do
  end subroutine fill_matrix

end module dgemm_kernels
