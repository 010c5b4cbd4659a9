//! Status-change notifications: CloudEvents 1.0 POSTed to a session's v0.10.1 `webhook.notificationUrl` (type
//! `org.camaraproject.qod.v0.qos-status-changed`, with `Authorization: Bearer <notificationAuthToken>`) or 1.1.0
//! `sink` (type `org.camaraproject.quality-on-demand.v1.qos-status-changed`, with `Authorization: Bearer
//! <sinkCredential.accessToken>`).
//!
//! The store logs every status-change event and hands those of sessions with a target to an unbounded queue,
//! returning at once: delivery never delays an API response. A dispatcher task starts a delivery task per event that
//! retries with exponential backoff up to [`NotifyConfig::max_attempts`]. Deliveries for one session are chained, so a receiver
//! sees that session's events in the order they happened (AVAILABLE before UNAVAILABLE) even when one is retried.
use crate::clock::rfc3339;
use crate::config::NotifyConfig;
use crate::error::truncated;
use crate::store::Api;
use qod_core::common::{DataContentType, EventQosStatus, QosStatusChangedData, SpecVersion, StatusInfo};
use qod_core::time::DateTime;
use qod_core::{v0, v1};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The `Content-Type` of a notification.
pub const CLOUDEVENTS_JSON: &str = "application/cloudevents+json";

/// Where a session's notifications go, and with which credential.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The API the session was created through (decides the CloudEvent's type).
    pub api: Api,
    /// `webhook.notificationUrl` or `sink`.
    pub url: String,
    /// `notificationAuthToken` or `sinkCredential.accessToken`, sent as a bearer token.
    pub token: Option<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("api", &self.api)
            .field("url", &redact_url(&self.url))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A session's status change.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub session_id: String,
    pub status: EventQosStatus,
    pub info: Option<StatusInfo>,
    pub target: Option<Target>,
    pub at_ms: i64,
}

/// The queue the store sends events to.
pub(crate) type Sender = mpsc::UnboundedSender<Event>;

fn data(e: &Event) -> QosStatusChangedData {
    qod_core::fill!(QosStatusChangedData {
        session_id: truncated(&e.session_id),
        qos_status: e.status,
        status_info: e.info,
    })
}

/// The v0.10.1 CloudEvent for `e`, with `source` = the session's URL under `base_url`.
pub(crate) fn cloud_event(e: &Event, base_url: &str) -> v0::model::QosStatusChanged {
    qod_core::fill!(v0::model::QosStatusChanged {
        id: truncated(&uuid::Uuid::new_v4().to_string()),
        source: truncated(&format!("{base_url}/sessions/{}", e.session_id)),
        event_type: v0::model::QosStatusChangedType,
        specversion: SpecVersion,
        datacontenttype: Some(DataContentType::ApplicationJson),
        data: data(e),
        time: truncated(&rfc3339(e.at_ms)),
    })
}

/// The 1.1.0 CloudEvent for `e`, with `source` = the session's URL under `root_url`'s quality-on-demand API.
pub(crate) fn cloud_event_v1(e: &Event, root_url: &str) -> v1::model::QosStatusChanged {
    let time = DateTime::from_unix(e.at_ms.div_euclid(1000))
        .and_then(|t| t.with_nanos(e.at_ms.rem_euclid(1000) as u32 * 1_000_000))
        .unwrap_or_default();
    qod_core::fill!(v1::model::QosStatusChanged {
        id: truncated(&uuid::Uuid::new_v4().to_string()),
        source: truncated(&format!("{root_url}/quality-on-demand/v1/sessions/{}", e.session_id)),
        event_type: v1::model::QosStatusChangedType,
        specversion: SpecVersion,
        datacontenttype: Some(DataContentType::ApplicationJson),
        data: data(e),
        time,
    })
}

/// Starts the dispatcher; returns the queue's sending side and the task. `base_url` is the v0.10.1 API's public
/// URL, `root_url` the API root the 1.1.0 APIs are under (for the events' `source`).
pub(crate) fn spawn(config: NotifyConfig, base_url: String, root_url: String) -> (Sender, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let task = tokio::spawn(async move {
        let mut builder = reqwest::Client::builder().timeout(config.timeout);
        for pem in &config.extra_roots {
            match reqwest::Certificate::from_pem(pem.as_bytes()) {
                Ok(cert) => builder = builder.add_root_certificate(cert),
                Err(e) => tracing::error!(error = %e, "a notification root certificate is not PEM: ignored"),
            }
        }
        let client = match builder.build() {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "cannot build the HTTP client: notifications will not be delivered");
                None
            }
        };
        let mut chains: HashMap<String, JoinHandle<()>> = HashMap::new();
        while let Some(e) = rx.recv().await {
            let (Some(target), Some(client)) = (e.target.clone(), client.clone()) else {
                continue;
            };
            let (event_id, body) = match target.api {
                Api::V0 => {
                    let event = cloud_event(&e, &base_url);
                    (event.id.to_string(), serde_json::to_vec(&event))
                }
                Api::V1 => {
                    let event = cloud_event_v1(&e, &root_url);
                    (event.id.to_string(), serde_json::to_vec(&event))
                }
            };
            let body = match body {
                Ok(b) => b,
                Err(err) => {
                    tracing::error!(error = %err, "cannot serialize a CloudEvent");
                    continue;
                }
            };
            chains.retain(|_, h| !h.is_finished());
            let previous = chains.remove(&e.session_id);
            let config = config.clone();
            let handle = tokio::spawn(async move {
                if let Some(p) = previous {
                    let _ = p.await;
                }
                deliver(&client, &config, &target, &event_id, body).await;
            });
            chains.insert(e.session_id, handle);
        }
    });
    (tx, task)
}

/// `url` fit for a log: credentials in the userinfo (`user:password@`) and the whole query (which often carries a
/// signature or a token) replaced by `<redacted>`, the fragment dropped.
pub fn redact_url(url: &str) -> String {
    let url = url.split('#').next().unwrap_or("");
    let (before_query, query) = match url.split_once('?') {
        Some((b, _)) => (b, Some("<redacted>")),
        None => (url, None),
    };
    let (scheme, rest) = match before_query.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, before_query),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("<redacted>@{host}"),
        None => authority.to_owned(),
    };
    let mut out = String::with_capacity(url.len());
    if let Some(s) = scheme {
        out.push_str(s);
        out.push_str("://");
    }
    out.push_str(&authority);
    out.push_str(path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn deliver(client: &reqwest::Client, config: &NotifyConfig, to: &Target, event_id: &str, body: Vec<u8>) {
    let target = to.url.as_str();
    // Logs name the receiver without the credentials a URL may hold; reqwest's errors are logged without their URL.
    let url = redact_url(target);
    let mut backoff = config.initial_backoff;
    let attempts = config.max_attempts.max(1);
    for attempt in 1..=attempts {
        let mut req = client
            .post(target)
            .header("content-type", CLOUDEVENTS_JSON)
            .body(body.clone());
        if let Some(t) = &to.token {
            req = req.bearer_auth(t);
        }
        let outcome = match req.send().await {
            Ok(res) if res.status().is_success() => {
                tracing::info!(%url, event_id, attempt, status = res.status().as_u16(), "notification delivered");
                return;
            }
            Ok(res) => format!("HTTP {}", res.status().as_u16()),
            Err(e) => e.without_url().to_string(),
        };
        if attempt == attempts {
            tracing::warn!(%url, event_id, attempt, %outcome, "notification failed; giving up");
            return;
        }
        tracing::warn!(%url, event_id, attempt, %outcome, retry_in_ms = backoff.as_millis() as u64, "notification failed");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(config.max_backoff);
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn test_redact_url() {
        assert_eq!(
            redact_url("https://user:pa55@hooks.example.com:8443/a/b?sig=s3cr3t&x=1#frag"),
            "https://<redacted>@hooks.example.com:8443/a/b?<redacted>"
        );
        assert_eq!(redact_url("http://127.0.0.1:9/x"), "http://127.0.0.1:9/x");
        assert_eq!(redact_url("http://tok@h?q"), "http://<redacted>@h?<redacted>");
        assert_eq!(redact_url("http://a:b@c@h/p"), "http://<redacted>@h/p");
        assert_eq!(redact_url("http://h/p@x"), "http://h/p@x");
    }
}
