//! The pure core: every decision Keyward makes, with no browser crate in sight.
//!
//! Modules here never name a browser crate (wasm-bindgen, web-sys, js-sys, gloo; a test enforces it).
//! They take plain data in (URLs, manifests, messages) and return values or views out; the `web`
//! edge performs the I/O those values ask for.

pub mod accounts;
pub mod api;
pub mod console;
pub mod export;
pub mod export_view;
pub mod filter;
pub mod lookup;
pub mod lookup_view;
pub mod message;
pub mod options;
pub mod page;
pub mod pager;
pub mod popup;
pub mod reader;
pub mod region;
pub mod reminder;
pub mod retry_after;
pub mod scim;
pub mod settings;
pub mod snippet;
pub mod throttle;
pub mod view;
pub mod wire;
pub mod worker;

/// The product name, as users see it.
pub const PRODUCT_NAME: &str = "Keyward";

/// The extension version; `Cargo.toml` is its single source (the build copies it into the manifest).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
