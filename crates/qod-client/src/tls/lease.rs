//! The one `unsafe` of this crate: lending the TLS record buffers to one connection at a time through `&self`.
//! Everything that the soundness argument below depends on lives in this module: the lease, the loan, and
//! [`tls_connection`], which puts the slices and the loan into one TLS connection.
//!
//! embedded-tls takes its record buffers as `&'a mut [u8]` for the whole life of a `TlsConnection` and never gives
//! them back (its `close` returns only the socket). A connector that yields connections from `&self` (the
//! `TcpConnect` shape the client needs, so that it can hold the connector and a connection and reconnect) must
//! therefore hand out the same buffers again after each connection is gone. Safe Rust cannot express "these
//! `&'a mut` are dead now": the lease does it with a flag, the same way embassy-net's `TcpClientState` pools socket
//! buffers. A `Loan` is the only way to get the slices; it exists at most once at a time; the caller drops the
//! slices' only holder before the loan (field order of `TlsConnection`). Leaking a loan (`mem::forget`) keeps the
//! buffers lent forever: sound, the connector then answers `Busy`.
#![allow(unsafe_code)]

use super::Aes128GcmSha256;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// Two buffers borrowed for `'b`, lent out one borrower at a time.
pub(super) struct Lease<'b> {
    read: NonNull<[u8]>,
    write: NonNull<[u8]>,
    lent: Cell<bool>,
    _bufs: PhantomData<&'b mut [u8]>,
}

impl<'b> Lease<'b> {
    pub(super) fn new(read: &'b mut [u8], write: &'b mut [u8]) -> Self {
        Lease {
            read: NonNull::from(read),
            write: NonNull::from(write),
            lent: Cell::new(false),
            _bufs: PhantomData,
        }
    }

    pub(super) fn in_use(&self) -> bool {
        self.lent.get()
    }

    /// The loan, unless the buffers are lent already.
    pub(super) fn lend(&self) -> Option<Loan<'_>> {
        if self.lent.replace(true) {
            return None;
        }
        Some(Loan {
            lease: self,
            _not_send: PhantomData,
        })
    }
}

/// The right to use the buffers until dropped.
pub(super) struct Loan<'a> {
    lease: &'a Lease<'a>,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> Loan<'a> {
    /// The lent buffers, for `'a`.
    ///
    /// # Safety
    /// Call at most once per loan, and drop every reference derived from the returned slices before the loan is
    /// dropped. (There is then no other live reference to the buffers: the lease holds only pointers, lends to one
    /// loan at a time, and the `'b` borrow it was made from outlives `'a`.)
    unsafe fn buffers(&self) -> (&'a mut [u8], &'a mut [u8]) {
        // SAFETY: the pointers come from `&'b mut [u8]` that the lease holds for `'b: 'a`, so they are valid, aligned
        // and not used by anyone else; the `lent` flag makes this loan the only one, and the caller promises a single
        // call and to drop the slices before the loan.
        unsafe { (&mut *self.lease.read.as_ptr(), &mut *self.lease.write.as_ptr()) }
    }
}

impl Drop for Loan<'_> {
    fn drop(&mut self) {
        self.lease.lent.set(false);
    }
}

/// The socket of a TLS connection on lent buffers: the inner connection, and the loan. embedded-tls owns it for the
/// whole connection, beside the slices: whenever the TLS connection goes (dropped, even mid-`close`, or closed),
/// its drop glue drops the slices and the loan together, synchronously, so no new loan can be made while the old
/// slices exist; `close` hands the socket (and with it the loan) back only after the TLS connection is gone.
pub(super) struct Leased<'a, T> {
    pub(super) inner: T,
    _loan: Loan<'a>,
}

/// A TLS connection over `socket` on the lent buffers: the only place the slices ever go.
pub(super) fn tls_connection<'a, T: embedded_io_async::Read + embedded_io_async::Write>(
    loan: Loan<'a>,
    socket: T,
) -> embedded_tls::TlsConnection<'a, Leased<'a, T>, Aes128GcmSha256> {
    // SAFETY: one call for this loan (it is moved into the socket right after); the slices go into the TLS
    // connection that also owns the loan, which never lets them out (see `Leased`).
    let (read, write) = unsafe { loan.buffers() };
    embedded_tls::TlsConnection::new(
        Leased {
            inner: socket,
            _loan: loan,
        },
        read,
        write,
    )
}

impl<T: embedded_io_async::ErrorType> embedded_io_async::ErrorType for Leased<'_, T> {
    type Error = T::Error;
}

impl<T: embedded_io_async::Read> embedded_io_async::Read for Leased<'_, T> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.inner.read(buf).await
    }
}

impl<T: embedded_io_async::Write> embedded_io_async::Write for Leased<'_, T> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.inner.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), T::Error> {
        self.inner.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_one_loan_at_a_time_and_buffers_come_back() {
        let (mut r, mut w) = ([0u8; 8], [0u8; 4]);
        let lease = Lease::new(&mut r, &mut w);
        {
            let loan = lease.lend().unwrap();
            assert!(lease.lend().is_none(), "a second loan while the first lives");
            // SAFETY: one call; the slices die before the loan.
            let (a, b) = unsafe { loan.buffers() };
            a[0] = 1;
            b[3] = 2;
            assert!(lease.in_use());
        }
        assert!(!lease.in_use());
        let loan = lease.lend().unwrap();
        // SAFETY: as above.
        let (a, b) = unsafe { loan.buffers() };
        assert_eq!((a[0], b[3], a.len(), b.len()), (1, 2, 8, 4), "the same buffers again");
        drop(loan);
        core::mem::forget(lease.lend().unwrap());
        assert!(lease.lend().is_none(), "a leaked loan keeps the buffers lent: sound");
    }
}
