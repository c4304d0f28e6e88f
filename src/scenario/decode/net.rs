//! Decoding of the network fields: the top-level `links` and an `io` or
//! `call` step's `bytes` and `link`.
//!
//! Invariant: a decoded [`Link`] has a bandwidth of at least 1 bit/s that
//! fits in a `u64`; a decoded [`Transfer`] names a declared link and moves at
//! least one byte.

use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::units::{parse_bandwidth, parse_bytes};
use crate::scenario::{Link, LinkId, Transfer};

const BANDWIDTH_HINT: &str = "bandwidths are strings such as \"100Mbit/s\", \"1Gbit/s\" or \"12.5MB/s\"";

pub(super) const LINK_FIELDS: &[&str] = &["bandwidth"];

impl Decoder {
    /// `"links": {"uplink": {"bandwidth": "100Mbit/s"}}`.
    pub(super) fn links(&mut self, node: &Node) -> Option<Vec<Link>> {
        let expected = "an object of links such as {\"uplink\": {\"bandwidth\": \"100Mbit/s\"}}";
        self.named(node, expected, |d| &mut d.links, Decoder::link)
    }

    fn link(&mut self, name: &str, node: &Node) -> Option<Link> {
        let fields = self.object(node, LINK_FIELDS, "a link such as {\"bandwidth\": \"100Mbit/s\"}")?;
        let bandwidth = self.required(&fields, "bandwidth", "the link's bandwidth, such as \"100Mbit/s\"")?;
        let bits = bandwidth.value.as_str().and_then(parse_bandwidth);
        match bits {
            Some(b) if b >= 1.0 && b < u64::MAX as f64 => {
                Some(Link { name: name.to_string(), bits_per_s: b.round() as u64 })
            }
            Some(_) => self.wrong_hint(&bandwidth, "a bandwidth of at least 1bit/s", BANDWIDTH_HINT),
            None => self.wrong_hint(&bandwidth, "a bandwidth such as \"100Mbit/s\"", BANDWIDTH_HINT),
        }
    }

    /// A step's `bytes` and `link`: `Some(None)` when it has neither,
    /// `None` after recording a problem.
    pub(super) fn transfer(&mut self, kind: &str, fields: &Fields) -> Option<Option<Transfer>> {
        let (bytes, link) = (fields.get("bytes"), fields.get("link"));
        if kind != "io" && kind != "call" {
            for (key, n) in [("bytes", &bytes), ("link", &link)] {
                let Some(n) = n else { continue };
                let message = format!("\"{key}\" applies only to io and call steps, not to {kind}");
                let hint = "move the payload onto an io step: {\"io\": \"50ms\", \"bytes\": \"1MB\"}";
                self.problem(n, Anchor::Key, message, Some(hint.into()));
            }
            return if bytes.is_some() || link.is_some() { None } else { Some(None) };
        }
        let Some(bytes_node) = bytes else {
            if let Some(n) = link {
                let hint = "give the payload size too: \"bytes\": \"1MB\"";
                self.problem(&n, Anchor::Key, "\"link\" without \"bytes\" moves nothing", Some(hint.into()));
                return None;
            }
            return Some(None);
        };
        let size = match bytes_node.value.as_str().and_then(parse_bytes) {
            Some(b) if b >= 1.0 && b < u64::MAX as f64 => Some(b.round() as u64),
            _ => self.wrong_hint(
                &bytes_node,
                "a payload size of at least 1 byte, such as \"1MB\"",
                "sizes are strings with a unit: \"512B\", \"10KB\", \"1MB\", \"64MiB\"",
            ),
        };
        let link = match link {
            Some(n) => self.link_ref(&n),
            None if self.links.len() == 1 => Some(0),
            None if self.links.is_empty() => {
                let hint = "declare one: \"links\": {\"uplink\": {\"bandwidth\": \"100Mbit/s\"}}";
                self.problem(
                    &bytes_node,
                    Anchor::Key,
                    "\"bytes\" needs a link, and none is declared",
                    Some(hint.into()),
                );
                None
            }
            None => {
                let message = format!("\"bytes\" needs \"link\": the scenario declares {} links", self.links.len());
                let hint = format!("name one of {}", self.links.join(", "));
                self.problem(&bytes_node, Anchor::Key, message, Some(hint));
                None
            }
        };
        Some(Some(Transfer { link: link?, bytes: size? }))
    }

    fn link_ref(&mut self, node: &Node) -> Option<LinkId> {
        let links = std::mem::take(&mut self.links);
        let declaration = |name: &str| format!("\"links\": {{\"{name}\": {{\"bandwidth\": \"100Mbit/s\"}}}}");
        let found = self.declared(node, "link", &links, declaration);
        self.links = links;
        found.map(|i| i as LinkId)
    }
}
