//! The emulator as a library: its configuration, its router and its server loop, so integration
//! tests can start it in-process on an ephemeral port.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use axum::Router;
use clap::Parser;
use tower_http::services::ServeDir;

/// Command-line configuration.
#[derive(Clone, Debug, Parser)]
#[command(name = "p14e-emulator", version, about)]
pub struct Config {
    /// TCP port on 127.0.0.1 (0 picks a free one; the chosen URL is printed).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,

    /// Folder served at `/`: the sandbox console replica and demo pages.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www"))]
    pub www: PathBuf,
}

/// Builds the router for a configuration.
pub fn app(config: &Config) -> Router {
    Router::new().fallback_service(ServeDir::new(&config.www))
}

/// Binds 127.0.0.1 only, prints the base URL on its own line, and serves until Ctrl-C.
pub async fn serve(config: Config) -> std::io::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))).await?;
    let addr = listener.local_addr()?;
    println!("p14e-emulator listening on http://{addr}/");
    axum::serve(listener, app(&config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
