//! CAMARA **quality-on-demand 1.1.0** and **qos-profiles 1.1.0** (contracts `quality-on-demand-1.1.0.yaml` and
//! `qos-profiles-1.1.0.yaml`): their models, request validation, one encode/decode pair per operation ([`api`])
//! and the operations as [`Operation`](crate::api::Operation)s ([`op`]). Behind the `v1` feature.
//!
//! Both APIs live under one API root, the [`Endpoint`](crate::api::Endpoint)'s `base_path`:
//! `{root}/quality-on-demand/v1` and `{root}/qos-profiles/v1`. Requests may carry an `x-correlator` (the endpoint's
//! `correlator`, checked against the spec's pattern); the operations can keep the one the response carries.

pub mod api;
pub mod model;
pub mod op;
mod validate;
