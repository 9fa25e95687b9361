//! Policy generation and verification on a synthetic namespace of 200 Deployments and 5,000
//! communications (`engine::demo::namespace`): the whole namespace's policies and YAML, the
//! replay of every communication through them, and what one decision toggle costs in the
//! browser (the chosen entity's policy, YAML and verification again).
//! Run: `cargo bench --bench policy`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    divan::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use flowpol::engine::dataset::Dataset;
    use flowpol::engine::decisions::Decisions;
    use flowpol::engine::demo::namespace::{namespace_flows, NAMESPACE};
    use flowpol::engine::load::load_files;
    use flowpol::engine::model::{EntityId, TimeWindow};
    use flowpol::engine::policy::view::{policy_output, target_entities, PolicyTarget};
    use flowpol::engine::policy::{generate_policies, policies_yaml};
    use flowpol::engine::verify::replay::verify_generated;

    const WORKLOADS: usize = 200;
    const COMMUNICATIONS: usize = 5_000;

    fn dataset() -> Dataset {
        let flows = namespace_flows(WORKLOADS, COMMUNICATIONS, 1);
        load_files(&[("bench.flowpol.jsonl", flows.as_bytes())], &[]).dataset
    }

    fn namespace() -> PolicyTarget {
        PolicyTarget::Namespace(Some(NAMESPACE.to_string()))
    }

    #[divan::bench(sample_count = 20)]
    fn generate_namespace_yaml(bencher: divan::Bencher) {
        let dataset = dataset();
        let entities = target_entities(&dataset, &namespace());
        let decisions = Decisions::default();
        bencher.bench(|| {
            let generated = generate_policies(&dataset, &decisions, &entities, TimeWindow::ALL);
            policies_yaml(&generated).map(|yaml| yaml.len())
        });
    }

    #[divan::bench(sample_count = 20)]
    fn generate_namespace_only(bencher: divan::Bencher) {
        let dataset = dataset();
        let entities = target_entities(&dataset, &namespace());
        let decisions = Decisions::default();
        bencher.bench(|| generate_policies(&dataset, &decisions, &entities, TimeWindow::ALL).len());
    }

    #[divan::bench(sample_count = 20)]
    fn verify_namespace(bencher: divan::Bencher) {
        let dataset = dataset();
        let entities = target_entities(&dataset, &namespace());
        let decisions = Decisions::default();
        let generated = generate_policies(&dataset, &decisions, &entities, TimeWindow::ALL);
        let policies: Vec<_> = generated.into_iter().filter_map(|g| g.policy).collect();
        bencher.bench(|| {
            verify_generated(&dataset, &decisions, &policies, &entities, TimeWindow::ALL)
                .all_agree()
        });
    }

    #[divan::bench(sample_count = 50)]
    fn toggle_one_entity(bencher: divan::Bencher) {
        let dataset = dataset();
        let mut decisions = Decisions::default();
        let row = dataset.communications[0].clone();
        let entity = match row.client {
            flowpol::engine::dataset::Peer::Entity(id) => id,
            _ => EntityId::new(0),
        };
        let mut on = false;
        bencher.bench_local(|| {
            decisions.set_included(&dataset, &row, on);
            on = !on;
            policy_output(
                &dataset,
                &decisions,
                &[],
                &PolicyTarget::Entity(entity),
                TimeWindow::ALL,
                flowpol::engine::policy::view::PolicyOptions::default(),
            )
            .yaml
            .len()
        });
    }
}
