//! Writers of a run's outputs, one file each; all read the [`crate::summary::RunSummary`]
//! or [`crate::engine::Results`], never the model.

pub mod csv;
pub mod html;
pub mod json;
pub mod parquet;
pub mod part;
pub mod plots;
pub mod staging;

pub use staging::Staging;
