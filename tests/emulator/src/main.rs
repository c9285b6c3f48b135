//! `p14e-emulator`: a local stand-in for the PingOne for Enterprise Directory API and its admin
//! console, for Keyward's demo and tests. Binds loopback only.

use clap::Parser;

use p14e_emulator::{serve, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    match serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("p14e-emulator: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
