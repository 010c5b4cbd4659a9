//! A hostile HTTP server on loopback for tests: accepts connections, reads a request, then misbehaves as scripted,
//! so that tests can assert the client's time and memory bounds against any server behaviour.
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does after it has read a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// `HTTP/1.1 100 Continue` heads, as fast as the socket takes them, forever.
    InterimFlood,
    /// A valid response, one byte every `ms` milliseconds.
    Drip {
        /// Milliseconds between bytes.
        ms: u64,
    },
    /// A status line, then header lines forever, as fast as the socket takes them.
    EndlessHeaders,
    /// A chunked response whose chunks never end, as fast as the socket takes them.
    EndlessChunks,
    /// A chunked response whose trailer never ends, as fast as the socket takes them.
    EndlessTrailer,
    /// Nothing at all, the connection open.
    Silence,
}

/// A complete, valid response (a `QosProfile`), for [`Misbehaviour::Drip`].
pub const VALID: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 39\r\n\r\n{\"name\":\"QOS_VC\",\"status\":\"ACTIVE\"}\n\n\n\n";

/// Serves `what` to every connection on `127.0.0.1:<free port>` until the runtime ends; returns the address.
pub async fn serve(what: Misbehaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = s.set_nodelay(true);
                // Read the request head.
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = misbehave(&mut s, what).await;
            });
        }
    });
    addr
}

async fn misbehave(s: &mut tokio::net::TcpStream, what: Misbehaviour) -> std::io::Result<()> {
    match what {
        Misbehaviour::InterimFlood => {
            let block = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(64);
            loop {
                s.write_all(&block).await?;
            }
        }
        Misbehaviour::Drip { ms } => {
            for b in VALID {
                s.write_all(&[*b]).await?;
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            Ok(())
        }
        Misbehaviour::EndlessHeaders => {
            s.write_all(b"HTTP/1.1 200 OK\r\n").await?;
            let block = b"X-Filler: y\r\n".repeat(64);
            loop {
                s.write_all(&block).await?;
            }
        }
        Misbehaviour::EndlessChunks => {
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            let block = b"1\r\na\r\n".repeat(256);
            loop {
                s.write_all(&block).await?;
            }
        }
        Misbehaviour::EndlessTrailer => {
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
                .await?;
            let block = b"X-Trailer: y\r\n".repeat(64);
            loop {
                s.write_all(&block).await?;
            }
        }
        Misbehaviour::Silence => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
    }
}
