//! copydesk: raw wire copy in any language in, one clean structured article out.
//!
//! The engine (`engine`) is pure and synchronous; `rules` loads the language knowledge once;
//! `grpc` and `cli` are thin adapters over `normalize`; `telemetry` exports their spans (and the
//! engine's) over OTLP when asked to.

pub mod cli;
pub mod config;
pub mod engine;
pub mod grpc;
pub mod rules;
pub mod telemetry;
pub mod train;

pub use engine::{Article, Config, Content, Error, Input, normalize};
pub use rules::{Rules, RulesError};

/// The build's version: `copydesk --version`, `GetCapabilities.version`, the start-up log line
/// and `copydesk_build_info` all read this one constant (the crate version, tagged `vX.Y.Z`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Generated protobuf and gRPC code (`proto/copydesk/v1`).
pub mod pb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("copydesk.v1");

    /// The encoded file descriptor set, for server reflection and proto3 JSON output.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("copydesk_descriptor");
}
