//! The admin console: what a page shows (`page`, `reader`, and the layouts the admin taught
//! Keyward: `layout`), what the credentials page means tab by tab (`credentials`, over `tabs`; a different key a page shows is a claim until the API takes it: `claims`), credentials typed by hand (`manual`), and what Keyward
//! adds to it and copies from it (`copy`, `snippet`, `clipboard`).

pub mod claims;
pub mod clipboard;
pub mod copy;
pub mod credentials;
pub mod layout;
pub mod manual;
pub mod page;
pub mod reader;
pub mod renewal;
pub mod snapshot;
pub mod snippet;
pub mod tabs;
