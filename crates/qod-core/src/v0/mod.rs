//! CAMARA QoD **v0.10.1** (`{apiRoot}/qod/v0`, contract `qod-0.10.1.yaml`): its models, request validation, one
//! encode/decode pair per operation ([`api`]) and the operations as [`Operation`](crate::api::Operation)s
//! ([`op`]). Behind the `v0` feature (on by default).
//!
//! [`crate::model`] and the v0 functions in [`crate::api`] re-export this module under the paths the crate had
//! before it was versioned.

pub mod api;
pub mod model;
pub mod op;
mod validate;
