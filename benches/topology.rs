//! The topology's layouts on a synthetic namespace of 300 Deployments and 2,000
//! communications (`engine::demo::namespace`): the namespace view (graph, hubs, layered
//! layout, routes) and the entity view of its busiest workload (`w000`, about 500 rows).
//! Run: `cargo bench --bench topology`.

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
    use flowpol::engine::graph::{entity_view, namespace_view, NamespaceScope};
    use flowpol::engine::load::load_files;
    use flowpol::engine::model::{EntityKind, TimeWindow};
    use flowpol::engine::scope::Subject;

    const WORKLOADS: usize = 300;
    const COMMUNICATIONS: usize = 2_000;

    fn dataset() -> Dataset {
        let flows = namespace_flows(WORKLOADS, COMMUNICATIONS, 1);
        load_files(&[("bench.flowpol.jsonl", flows.as_bytes())], &[]).dataset
    }

    #[divan::bench(sample_count = 20)]
    fn namespace_view_300_2000(bencher: divan::Bencher) {
        let dataset = dataset();
        let decisions = Decisions::default();
        let scope = NamespaceScope::of(NAMESPACE);
        bencher.bench_local(|| namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL));
    }

    #[divan::bench(sample_count = 20)]
    fn entity_view_of_the_hub(bencher: divan::Bencher) {
        let dataset = dataset();
        let decisions = Decisions::default();
        let Some(hub) = dataset.find_entity(EntityKind::Deployment, NAMESPACE, "w000") else {
            return;
        };
        bencher.bench_local(|| {
            entity_view(&dataset, &decisions, Subject::Entity(hub), TimeWindow::ALL)
        });
    }
}
