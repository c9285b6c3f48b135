//! HTTPS with HTTP/2, as a real service is reached: over TLS a browser multiplexes many requests on
//! one connection, where plain HTTP/1.1 caps it at six connections per host — a ceiling the real
//! Directory API does not have, which would hide how a client behaves with many requests in flight.
//! The certificate is self-signed, made at start for loopback and the real API host names (a
//! browser pointed here maps those names to 127.0.0.1 and is told to accept the certificate).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The names the certificate is made for.
pub const CERTIFIED_NAMES: [&str; 5] = [
    "127.0.0.1",
    "localhost",
    "directory-api.pingone.com",
    "directory-api.pingone.eu",
    "directory-api.pingone.com.au",
];

/// How long a client has to finish its TLS handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A TCP listener whose connections speak TLS (ALPN `h2`, then `http/1.1`).
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    certificate: CertificateDer<'static>,
}

impl TlsListener {
    /// Wraps `tcp` with a fresh self-signed certificate for [`CERTIFIED_NAMES`].
    pub fn new(tcp: TcpListener) -> io::Result<TlsListener> {
        let certified =
            rcgen::generate_simple_self_signed(CERTIFIED_NAMES.map(String::from).to_vec())
                .map_err(io::Error::other)?;
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .map_err(io::Error::other)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(Arc::new(config)),
            certificate: certified.cert.der().clone(),
        })
    }

    /// The self-signed certificate, for a client that should trust exactly it (tests).
    pub fn certificate(&self) -> CertificateDer<'static> {
        self.certificate.clone()
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    /// The next connection whose handshake succeeds; failed ones (a client refusing the
    /// certificate, a probe) are dropped and the listener goes on.
    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (tcp, addr) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of descriptors or similar: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let handshake = self.acceptor.accept(tcp);
            if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
