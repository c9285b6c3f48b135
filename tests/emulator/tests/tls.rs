//! HTTPS: the emulator's TLS listener completes a handshake for the names its certificate is made
//! for, offers HTTP/2 first (so a browser multiplexes requests on one connection), and serves the
//! same routes as plain HTTP.

use std::sync::Arc;

use axum::serve::Listener;
use p14e_emulator::tls::TlsListener;
use p14e_emulator::{app, Config, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// A client that trusts exactly `listener`'s certificate and offers `alpn`.
fn connector(listener: &TlsListener, alpn: &[&[u8]]) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(listener.certificate())
        .expect("a valid certificate");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn serves_the_api_hosts_over_tls_offering_http2_first() {
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let listener = TlsListener::new(tcp).expect("a certificate");
    let addr = listener.local_addr().expect("an address");
    let h2 = connector(&listener, &[b"h2", b"http/1.1"]);
    let h1 = connector(&listener, &[b"http/1.1"]);
    let emulator = Arc::new(Emulator::from_config(
        &Config::default(),
        "https://directory-api.pingone.com/api",
    ));
    let www = Config::default().www;
    tokio::spawn(async move { axum::serve(listener, app(emulator, www)).await });

    // A browser mapping the real API name here negotiates HTTP/2.
    for name in [
        "directory-api.pingone.com",
        "directory-api.pingone.eu",
        "localhost",
    ] {
        let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let server = ServerName::try_from(name.to_string()).expect("a name");
        let tls = h2.connect(server, tcp).await.expect("a handshake");
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]), "{name}");
    }

    // The same routes answer: the admin state over HTTP/1.1 on TLS.
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let server = ServerName::try_from("directory-api.pingone.com").expect("a name");
    let mut tls = h1.connect(server, tcp).await.expect("a handshake");
    tls.write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: directory-api.pingone.com\r\nConnection: close\r\n\r\n")
        .await
        .expect("a request");
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"client_id\""), "{answer}");

    // A name the certificate is not made for is refused by a client that checks it, and the
    // listener goes on serving after that failed handshake.
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let server = ServerName::try_from("evil.example").expect("a name");
    assert!(h2.connect(server, tcp).await.is_err());
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let server = ServerName::try_from("127.0.0.1").expect("an address");
    assert!(h2.connect(server, tcp).await.is_ok(), "still serving");
}
