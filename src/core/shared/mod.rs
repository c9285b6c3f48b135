//! What every feature may use: the inert view tree, storage and wire helpers, where the console
//! lives and which build is running, dates and text.

pub mod dates;
pub mod hosts;
pub mod text;
pub mod view;
pub mod wire;
