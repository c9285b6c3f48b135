//! Keyward: a browser extension for PingOne for Enterprise administrators.
//!
//! The crate has two halves. [`core`] is pure Rust: it classifies pages, builds views and decides
//! what the extension does, taking data in and returning values out, so it builds and tests natively
//! with plain `cargo test`. `web` (compiled for wasm32 only) is the thin edge that talks to the
//! browser: `chrome.*` APIs, the DOM, timers and fetch. See `ARCHITECTURE.md`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The fuzz targets' properties (`tests/fuzz`): only for the fuzzer and for tests.
#[cfg(any(test, fuzzing))]
pub mod fuzz;

/// The wasm heap: Talc in place of the default dlmalloc (faster, and a smaller bundle). The module
/// is single-threaded (no `atomics`), which the dynamic allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
