//! Writers of every verb's outputs: they read the reports of [`crate::analysis`] (and the
//! engine's [`crate::engine::Results`] with the model's schema), never the model.

pub mod csv;
pub(crate) mod discover;
pub mod html;
pub mod json;
pub mod parquet;
pub mod part;
pub mod plots;
pub mod rows;
pub(crate) mod sensitivity;
pub mod staging;

pub use staging::Staging;
