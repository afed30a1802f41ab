//! The Kubernetes API (feature `kube`): the objects of a cluster, watched and read as the
//! core's objects ([`watch`]), for the driver that feeds them to a [`crate::plan::Planner`].

pub mod driver;
pub mod events;
pub mod lease;
pub mod metrics;
pub mod serve;
pub mod watch;

/// An API error in a log line: the API server's own message for a refusal (it names the verb,
/// the resource and the user: `... is forbidden: User "..." cannot patch resource ...`),
/// else the client's error.
pub fn describe(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) if !status.message.is_empty() => {
            format!("{} ({})", status.message, status.code)
        }
        other => other.to_string(),
    }
}

/// A watch error in a log line, as [`describe`] says API errors.
pub fn describe_watch(error: &kube::runtime::watcher::Error) -> String {
    use kube::runtime::watcher::Error;
    match error {
        Error::InitialListFailed(e) => format!("cannot list: {}", describe(e)),
        Error::WatchStartFailed(e) => format!("cannot watch: {}", describe(e)),
        Error::WatchFailed(e) => format!("the watch broke: {}", describe(e)),
        Error::WatchError(status) => format!("the API server ended the watch: {}", status.message),
        other => other.to_string(),
    }
}
