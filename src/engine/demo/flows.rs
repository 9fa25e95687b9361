//! The demo's Hubble flow log: an iterator of `hubble observe -o json` lines, and its plan:
//! every connection template once, then templates drawn by weight, each connection from the
//! next client port, its lines spread evenly over the options' duration. What a connection's
//! lines hold is `sample` (which pods and addresses), `connection` (the events Hubble prints
//! for it) and `line` (each event written as JSON); `truth` records what was emitted.

use std::collections::{BTreeSet, VecDeque};

use super::cluster::{random_uuid, DemoCluster};
use super::context::Context;
use super::line::render;
use super::sample::{sample, Sample};
use super::truth::EmittedCommunication;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct FlowOptions {
    /// Number of lines to write.
    pub lines: usize,
    /// Seed of every random choice: the same options give byte-identical output.
    pub seed: u64,
    /// Unix time (seconds) of the first line.
    pub start_unix: i64,
    /// Seconds of traffic the lines span.
    pub duration_seconds: u64,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            lines: 2_000,
            seed: 1,
            // 2026-11-20T09:00:00Z
            start_unix: 1_795_165_200,
            duration_seconds: 3_600,
        }
    }
}

/// An iterator over the lines of a demo Hubble log (without trailing newlines).
pub struct FlowLines<'c> {
    context: Context<'c>,
    rng: fastrand::Rng,
    options: FlowOptions,
    emitted: usize,
    templates_covered: usize,
    /// Queued lines, each marked when it is the first line of its connection, and with the
    /// communication on the first line the connection has.
    pending: VecDeque<(String, bool, Option<EmittedCommunication>)>,
    /// The next client port: allocated in sequence, as Linux does, so that a port is not
    /// reused while a connection with it may still be remembered.
    next_source_port: u16,
    /// Connections whose first line was emitted.
    connections: u64,
    /// Communications some line of which was emitted.
    emitted_communications: BTreeSet<EmittedCommunication>,
}

impl<'c> FlowLines<'c> {
    /// Lines of a Hubble log for `cluster`.
    pub fn new(cluster: &'c DemoCluster, options: FlowOptions) -> Self {
        FlowLines {
            context: Context::new(cluster),
            rng: fastrand::Rng::with_seed(options.seed ^ 0x5eed_f10e),
            options,
            emitted: 0,
            templates_covered: 0,
            next_source_port: 32768 + (options.seed % 20_000) as u16,
            connections: 0,
            emitted_communications: Default::default(),
            pending: VecDeque::new(),
        }
    }

    /// The communications of the lines emitted so far: the ground truth of what an ingest of
    /// these lines must find.
    pub fn communications_emitted(&self) -> &BTreeSet<EmittedCommunication> {
        &self.emitted_communications
    }

    /// Connections whose first line has been emitted so far: the ground truth an ingest of
    /// these lines must count.
    pub fn connections_emitted(&self) -> u64 {
        self.connections
    }

    /// The next connection's template: every template once first, so that even a small demo
    /// shows every case, then drawn by weight.
    fn next_template(&mut self) -> usize {
        if self.templates_covered < self.context.templates.len() {
            self.templates_covered += 1;
            self.templates_covered - 1
        } else {
            self.context.pick_template(&mut self.rng)
        }
    }

    /// The next connection's client port; the one after it a few ports on, wrapping within
    /// Linux's ephemeral range.
    fn next_source_port(&mut self) -> u16 {
        let source_port = self.next_source_port;
        self.next_source_port = match source_port + self.rng.u16(1..=7) {
            port if port > 60999 => 32768,
            port => port,
        };
        source_port
    }

    /// The time of the next connection's first line: lines spread evenly over the duration.
    fn next_time(&self) -> i128 {
        self.options.start_unix as i128 * 1_000_000_000
            + (self.emitted as i128 * self.options.duration_seconds as i128 * 1_000_000_000)
                / self.options.lines.max(1) as i128
    }

    /// Samples one connection and queues its lines.
    fn generate_connection(&mut self) {
        let template_index = self.next_template();
        let source_port = self.next_source_port();
        let first = self.next_time();
        let context = &self.context;
        let rng = &mut self.rng;
        let mut client_ip = String::new();
        let template = &context.templates[template_index].template;
        let Sample {
            events,
            truth,
            already_open,
        } = sample(context, rng, template, source_port, &mut client_ip);
        let mut truth = Some(truth);
        for (i, event) in events.into_iter().enumerate() {
            let nanos = first + i as i128 * 41_337 + rng.u32(..1000) as i128;
            let uuid = random_uuid(rng);
            self.pending.push_back((
                render(context, event, nanos, &uuid),
                i == 0 && !already_open,
                truth.take(),
            ));
        }
    }
}

impl Iterator for FlowLines<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.emitted >= self.options.lines {
            return None;
        }
        while self.pending.is_empty() {
            self.generate_connection();
        }
        self.emitted += 1;
        let (line, first, truth) = self.pending.pop_front()?;
        if first {
            self.connections += 1;
        }
        if let Some(truth) = truth {
            self.emitted_communications.insert(truth);
        }
        Some(line)
    }
}
