//! Integration tests of the HTTP side: refusals before the upgrade, static files,
//! health and metrics, against the bridge in-process on 127.0.0.1.

#[path = "../support/mod.rs"]
mod support;

mod health_metrics;
mod hostile;
mod hosts;
mod limits;
mod origin;
mod requests;
mod static_files;
