//! The gRPC adapter: conversion at the edge, the service, metrics and start-up.
//! The generated code lives in `crate::pb`.

pub mod budget;
pub mod convert;
pub mod layer;
pub mod metrics;
pub mod process;
pub mod server;
pub mod service;
pub mod workers;

pub use server::{ServeError, run, serve, shutdown_signal};
pub use service::Normalizer;
