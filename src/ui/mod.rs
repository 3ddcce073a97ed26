//! The terminal: pickers, tables, colors, progress, prompts, logging and the
//! completion candidates offered on Tab.

pub mod color;
pub mod logging;
pub mod picker;
pub mod progress;
pub mod prompt;
pub mod table;
