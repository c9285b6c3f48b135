//! The admin console: what a page shows (`page`, `reader`), what the credentials page means tab by
//! tab (`credentials`), and what Keyward adds to it and copies from it (`copy`, `snippet`,
//! `clipboard`).

pub mod clipboard;
pub mod copy;
pub mod credentials;
pub mod page;
pub mod reader;
pub mod snippet;
