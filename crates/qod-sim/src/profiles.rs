//! The QoS profile catalogue the simulator offers.
//!
//! The default catalogue holds the CAMARA reference profiles `QOS_E`, `QOS_S`, `QOS_M`, `QOS_L`, the use-case
//! profiles `QOS_VC` (video conferencing), `QOS_XR` (extended reality), `QOS_RVM` (remote vehicle/machine control),
//! `QOS_POSALE` (point of sale) and `QOS_BROADCAST` (live broadcast contribution), plus two test profiles that new
//! sessions cannot use: `QOS_LEGACY` (`DEPRECATED`) and `QOS_TEST_INACTIVE` (`INACTIVE`). Rates, priorities, delay
//! budgets and jitter follow typical 3GPP 5QI values for such traffic; they are illustrative, not a network's promise.
use qod_core::model::{Duration, QosProfile, QosProfileStatus, Rate, RateUnit, TimeUnit};
use qod_core::v1::model as v1;

fn rate(value: u32, unit: RateUnit) -> Option<Rate> {
    Some(qod_core::fill!(Rate {
        value: Some(value),
        unit: Some(unit),
    }))
}

fn dur(value: u32, unit: TimeUnit) -> Option<Duration> {
    Some(qod_core::fill!(Duration {
        value: Some(value),
        unit: Some(unit),
    }))
}

/// Seconds in a [`Duration`] (fractions of a second round down); `None` when value or unit is missing or unknown.
pub fn seconds(d: &Duration) -> Option<u64> {
    let v = u64::from(d.value?);
    Some(match d.unit? {
        TimeUnit::Days => v * 86_400,
        TimeUnit::Hours => v * 3_600,
        TimeUnit::Minutes => v * 60,
        TimeUnit::Seconds => v,
        TimeUnit::Milliseconds => v / 1_000,
        TimeUnit::Microseconds => v / 1_000_000,
        TimeUnit::Nanoseconds => v / 1_000_000_000,
        _ => return None,
    })
}

/// The parameters of one catalogue entry, in a compact form.
struct Spec {
    name: &'static str,
    description: &'static str,
    status: QosProfileStatus,
    /// (target min, max, burst) upstream in the given unit.
    up: (u32, u32, Option<u32>, RateUnit),
    /// (target min, max, burst) downstream in the given unit.
    down: (u32, u32, Option<u32>, RateUnit),
    min_duration: (u32, TimeUnit),
    max_duration: (u32, TimeUnit),
    priority: u32,
    /// Packet delay budget in milliseconds.
    pdb_ms: u32,
    /// Jitter in milliseconds.
    jitter_ms: u32,
    /// Packet error loss rate exponent (10^-N).
    loss: u32,
}

impl Spec {
    fn build(&self) -> QosProfile {
        qod_core::fill!(QosProfile {
            name: crate::error::truncated(self.name),
            description: Some(crate::error::truncated(self.description)),
            status: self.status,
            target_min_upstream_rate: rate(self.up.0, self.up.3),
            max_upstream_rate: rate(self.up.1, self.up.3),
            max_upstream_burst_rate: self.up.2.and_then(|b| rate(b, self.up.3)),
            target_min_downstream_rate: rate(self.down.0, self.down.3),
            max_downstream_rate: rate(self.down.1, self.down.3),
            max_downstream_burst_rate: self.down.2.and_then(|b| rate(b, self.down.3)),
            min_duration: dur(self.min_duration.0, self.min_duration.1),
            max_duration: dur(self.max_duration.0, self.max_duration.1),
            priority: Some(self.priority),
            packet_delay_budget: dur(self.pdb_ms, TimeUnit::Milliseconds),
            jitter: dur(self.jitter_ms, TimeUnit::Milliseconds),
            packet_error_loss_rate: Some(self.loss),
        })
    }
}

use QosProfileStatus::{Active, Deprecated, Inactive};
use RateUnit::{Kbps, Mbps};
use TimeUnit::{Hours, Minutes, Seconds};

const CATALOGUE: &[Spec] = &[
    Spec {
        name: "QOS_E",
        description: "CAMARA reference: low latency for real-time interactive traffic (gaming, voice)",
        status: Active,
        up: (2, 10, None, Mbps),
        down: (5, 20, None, Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 10,
        pdb_ms: 20,
        jitter_ms: 5,
        loss: 3,
    },
    Spec {
        name: "QOS_S",
        description: "CAMARA reference: small guaranteed throughput, e.g. SD video or telemetry",
        status: Active,
        up: (512, 1024, None, Kbps),
        down: (1, 2, Some(4), Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 40,
        pdb_ms: 100,
        jitter_ms: 30,
        loss: 3,
    },
    Spec {
        name: "QOS_M",
        description: "CAMARA reference: medium guaranteed throughput, e.g. HD video streaming",
        status: Active,
        up: (2, 5, None, Mbps),
        down: (5, 10, Some(20), Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 30,
        pdb_ms: 75,
        jitter_ms: 20,
        loss: 3,
    },
    Spec {
        name: "QOS_L",
        description: "CAMARA reference: large guaranteed throughput, e.g. 4K video or bulk uploads",
        status: Active,
        up: (10, 20, Some(40), Mbps),
        down: (25, 50, Some(100), Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 20,
        pdb_ms: 50,
        jitter_ms: 15,
        loss: 3,
    },
    Spec {
        name: "QOS_VC",
        description: "Video conferencing: symmetric HD audio/video with stable latency",
        status: Active,
        up: (2, 8, None, Mbps),
        down: (4, 8, None, Mbps),
        min_duration: (1, Minutes),
        max_duration: (8, Hours),
        priority: 15,
        pdb_ms: 50,
        jitter_ms: 10,
        loss: 3,
    },
    Spec {
        name: "QOS_XR",
        description: "Extended reality / cloud rendering: high downstream rate, very low latency",
        status: Active,
        up: (20, 50, None, Mbps),
        down: (50, 200, Some(400), Mbps),
        min_duration: (1, Minutes),
        max_duration: (4, Hours),
        priority: 5,
        pdb_ms: 10,
        jitter_ms: 2,
        loss: 4,
    },
    Spec {
        name: "QOS_RVM",
        description: "Remote vehicle or machine control: video uplink, ultra-low latency control loop",
        status: Active,
        up: (10, 25, None, Mbps),
        down: (2, 5, None, Mbps),
        min_duration: (1, Minutes),
        max_duration: (12, Hours),
        priority: 1,
        pdb_ms: 5,
        jitter_ms: 1,
        loss: 6,
    },
    Spec {
        name: "QOS_POSALE",
        description: "Point of sale: low rate, highly reliable payment transactions",
        status: Active,
        up: (256, 1024, None, Kbps),
        down: (256, 1024, None, Kbps),
        min_duration: (10, Seconds),
        max_duration: (24, Hours),
        priority: 25,
        pdb_ms: 100,
        jitter_ms: 50,
        loss: 6,
    },
    Spec {
        name: "QOS_BROADCAST",
        description: "Live broadcast contribution: high guaranteed uplink for cameras",
        status: Active,
        up: (20, 100, Some(200), Mbps),
        down: (2, 5, None, Mbps),
        min_duration: (5, Minutes),
        max_duration: (24, Hours),
        priority: 8,
        pdb_ms: 30,
        jitter_ms: 5,
        loss: 5,
    },
    Spec {
        name: "QOS_LEGACY",
        description: "Test profile: deprecated, kept for existing sessions, refused for new ones",
        status: Deprecated,
        up: (1, 2, None, Mbps),
        down: (1, 4, None, Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 50,
        pdb_ms: 150,
        jitter_ms: 50,
        loss: 2,
    },
    Spec {
        name: "QOS_TEST_INACTIVE",
        description: "Test profile: not currently deployable",
        status: Inactive,
        up: (1, 2, None, Mbps),
        down: (1, 4, None, Mbps),
        min_duration: (1, Seconds),
        max_duration: (24, Hours),
        priority: 50,
        pdb_ms: 150,
        jitter_ms: 50,
        loss: 2,
    },
];

/// `catalogue` as qos-profiles 1.1.0 describes it: the same profiles, with the members 1.1.0 adds
/// (`countryAvailability`: Austria's and Germany's networks; `serviceClass` and `l4sQueueType` by the profile's use).
pub fn v1_catalogue(catalogue: &[QosProfile]) -> Vec<v1::QosProfile> {
    use v1::{Availability, L4sQueueType, ServiceClass};
    let country = |name: &str, networks: &[&str]| {
        qod_core::fill!(Availability {
            country_name: crate::error::truncated(name),
            networks: networks.iter().map(|n| crate::error::truncated(n)).collect(),
        })
    };
    catalogue
        .iter()
        .map(|p| {
            let (class, l4s) = match p.name.as_str() {
                "QOS_E" | "QOS_VC" | "QOS_XR" | "QOS_RVM" => {
                    (ServiceClass::RealTimeInteractive, Some(L4sQueueType::L4sQueue))
                }
                "QOS_L" => (ServiceClass::MultimediaStreaming, Some(L4sQueueType::MixedQueue)),
                "QOS_BROADCAST" => (ServiceClass::BroadcastVideo, None),
                "QOS_POSALE" => (ServiceClass::LowLatencyData, None),
                _ => (ServiceClass::Standard, Some(L4sQueueType::NonL4sQueue)),
            };
            qod_core::fill!(v1::QosProfile {
                name: p.name.clone(),
                description: p.description.clone(),
                status: p.status,
                country_availability: Some(
                    [country("AT", &["23201", "23203"]), country("DE", &["26201"])]
                        .into_iter()
                        .collect(),
                ),
                target_min_upstream_rate: p.target_min_upstream_rate,
                max_upstream_rate: p.max_upstream_rate,
                max_upstream_burst_rate: p.max_upstream_burst_rate,
                target_min_downstream_rate: p.target_min_downstream_rate,
                max_downstream_rate: p.max_downstream_rate,
                max_downstream_burst_rate: p.max_downstream_burst_rate,
                min_duration: p.min_duration,
                max_duration: p.max_duration,
                priority: p.priority,
                packet_delay_budget: p.packet_delay_budget,
                jitter: p.jitter,
                packet_error_loss_rate: p.packet_error_loss_rate,
                l4s_queue_type: l4s,
                service_class: Some(class),
            })
        })
        .collect()
}

/// The default catalogue (see the module docs): 9 ACTIVE profiles, one DEPRECATED, one INACTIVE.
pub fn default_catalogue() -> Vec<QosProfile> {
    CATALOGUE.iter().map(Spec::build).collect()
}

/// The default catalogue without the two test profiles: only the 9 ACTIVE ones (fits a device that decodes at most
/// 10 profiles, qod-core's default `QOD_LIMIT_PROFILES`).
pub fn active_catalogue() -> Vec<QosProfile> {
    CATALOGUE
        .iter()
        .filter(|s| s.status == Active)
        .map(Spec::build)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_catalogue_fits_and_is_valid() {
        let c = default_catalogue();
        assert_eq!(c.len(), CATALOGUE.len());
        for (p, s) in c.iter().zip(CATALOGUE) {
            // Nothing was cut to fit qod-core's capacities.
            assert_eq!(p.name.as_str(), s.name);
            assert_eq!(p.description.as_deref(), Some(s.description));
            assert!(qod_core::validate::qos_profile_name(&p.name).is_ok());
            let min = seconds(&p.min_duration.unwrap()).unwrap();
            let max = seconds(&p.max_duration.unwrap()).unwrap();
            assert!(1 <= min && min < max && max <= 86_400, "{}", s.name);
            assert!((1..=100).contains(&p.priority.unwrap()));
            for r in [p.max_upstream_rate, p.max_downstream_rate, p.target_min_upstream_rate]
                .into_iter()
                .flatten()
            {
                assert!(r.value.unwrap() <= 1024);
            }
        }
        for name in [
            "QOS_E",
            "QOS_S",
            "QOS_M",
            "QOS_L",
            "QOS_VC",
            "QOS_XR",
            "QOS_RVM",
            "QOS_POSALE",
            "QOS_BROADCAST",
        ] {
            assert!(c.iter().any(|p| p.name == name && p.status == Active), "{name}");
        }
        assert!(c.iter().any(|p| p.status == Deprecated));
        assert!(c.iter().any(|p| p.status == Inactive));
        let active = active_catalogue();
        assert_eq!(active.len(), 9);
        assert!(active.len() <= qod_core::limits::PROFILES);
        assert!(active.iter().all(|p| p.status == Active));
    }

    #[test]
    fn test_seconds() {
        assert_eq!(
            seconds(&qod_core::fill!(Duration {
                value: Some(2),
                unit: Some(Hours)
            })),
            Some(7200)
        );
        assert_eq!(
            seconds(&qod_core::fill!(Duration {
                value: Some(1500),
                unit: Some(TimeUnit::Milliseconds)
            })),
            Some(1)
        );
        assert_eq!(
            seconds(&qod_core::fill!(Duration {
                value: None,
                unit: Some(Hours)
            })),
            None
        );
    }
}
