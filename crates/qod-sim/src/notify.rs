//! Status-change notifications: CloudEvents 1.0 (`QosStatusChanged`) POSTed to a session's `webhook.notificationUrl`.
//!
//! The store logs every status-change event and hands those of sessions with a webhook to an unbounded queue,
//! returning at once: delivery never delays an API response. A dispatcher task starts a delivery task per event that
//! retries with exponential backoff up to [`NotifyConfig::max_attempts`]. Deliveries for one session are chained, so a receiver
//! sees that session's events in the order they happened (AVAILABLE before UNAVAILABLE) even when one is retried.
use crate::clock::rfc3339;
use crate::config::NotifyConfig;
use crate::error::truncated;
use qod_core::model::{
    DataContentType, EventQosStatus, QosStatusChanged, QosStatusChangedData, QosStatusChangedType, SpecVersion,
    StatusInfo, Webhook,
};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The `Content-Type` of a notification.
pub const CLOUDEVENTS_JSON: &str = "application/cloudevents+json";

/// A session's status change.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub session_id: String,
    pub status: EventQosStatus,
    pub info: Option<StatusInfo>,
    pub webhook: Option<Webhook>,
    pub at_ms: i64,
}

/// The queue the store sends events to.
pub(crate) type Sender = mpsc::UnboundedSender<Event>;

/// Builds the CloudEvent for `e`, with `source` = the session's URL.
pub(crate) fn cloud_event(e: &Event, base_url: &str) -> QosStatusChanged {
    QosStatusChanged {
        id: truncated(&uuid::Uuid::new_v4().to_string()),
        source: truncated(&format!("{base_url}/sessions/{}", e.session_id)),
        event_type: QosStatusChangedType,
        specversion: SpecVersion,
        datacontenttype: Some(DataContentType::ApplicationJson),
        data: QosStatusChangedData {
            session_id: truncated(&e.session_id),
            qos_status: e.status,
            status_info: e.info,
        },
        time: truncated(&rfc3339(e.at_ms)),
    }
}

/// Starts the dispatcher; returns the queue's sending side and the task.
pub(crate) fn spawn(config: NotifyConfig, base_url: String) -> (Sender, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let task = tokio::spawn(async move {
        let client = match reqwest::Client::builder().timeout(config.timeout).build() {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "cannot build the HTTP client: notifications will not be delivered");
                None
            }
        };
        let mut chains: HashMap<String, JoinHandle<()>> = HashMap::new();
        while let Some(e) = rx.recv().await {
            let (Some(webhook), Some(client)) = (e.webhook.clone(), client.clone()) else {
                continue;
            };
            let event = cloud_event(&e, &base_url);
            let body = match serde_json::to_vec(&event) {
                Ok(b) => b,
                Err(err) => {
                    tracing::error!(error = %err, "cannot serialize a CloudEvent");
                    continue;
                }
            };
            chains.retain(|_, h| !h.is_finished());
            let previous = chains.remove(&e.session_id);
            let config = config.clone();
            let event_id = event.id.to_string();
            let handle = tokio::spawn(async move {
                if let Some(p) = previous {
                    let _ = p.await;
                }
                deliver(&client, &config, &webhook, &event_id, body).await;
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

async fn deliver(client: &reqwest::Client, config: &NotifyConfig, webhook: &Webhook, event_id: &str, body: Vec<u8>) {
    let target = webhook.notification_url.as_str();
    // Logs name the receiver without the credentials a URL may hold; reqwest's errors are logged without their URL.
    let url = redact_url(target);
    let mut backoff = config.initial_backoff;
    let attempts = config.max_attempts.max(1);
    for attempt in 1..=attempts {
        let mut req = client
            .post(target)
            .header("content-type", CLOUDEVENTS_JSON)
            .body(body.clone());
        if let Some(t) = &webhook.notification_auth_token {
            req = req.bearer_auth(t.expose());
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
