//! The Kubernetes API (feature `kube`): the objects of a cluster, watched and read as the
//! core's objects ([`watch`]), for the driver that feeds them to a [`crate::plan::Planner`].

pub mod driver;
pub mod lease;
pub mod metrics;
pub mod serve;
pub mod watch;
