//! Lead benchmarks: importing 100,000 CSV rows, and checking a lead for duplicates against
//! 1,000,000 existing records through the index.
//!
//! Inputs are generated deterministically from a fixed seed, in memory.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::{
    AccountId, ChannelId, DuplicateIndex, DuplicateKeys, ImportOptions, LeadId, RecordRef,
    Timestamp, UserId, import_leads,
};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const SEED: u64 = 20_26;
const NOW: Timestamp = Timestamp::from_millis(1_764_000_000_000);

const SURNAMES: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰"];
const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "杭州", "成都", "南京", "苏州", "武汉",
];
const WORDS: &[&str] = &[
    "示例", "样本", "锐思", "远航", "华信", "启明", "恒通", "博雅",
];
const TRADES: &[&str] = &[
    "科技", "数据", "机械", "贸易", "物流", "软件", "材料", "电子",
];
const REGIONS: &[&str] = &["华东", "华北", "华南", "西南", "华中"];
const SOURCES: &[&str] = &["展会", "官网", "电话咨询", "客户推荐", "微信"];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn company(rng: &mut ChaCha8Rng, serial: u64) -> String {
    format!(
        "{}{}{}{serial}有限公司",
        pick(rng, CITIES),
        pick(rng, WORDS),
        pick(rng, TRADES)
    )
}

/// A trade-show list of `rows` rows; about 2 % have a bad phone or email.
fn csv_rows(rows: u64, rng: &mut ChaCha8Rng) -> String {
    let mut csv = String::from("联系人,公司名称,手机,邮箱,地区,来源,备注\n");
    for serial in 0..rows {
        let phone = if rng.random_bool(0.01) {
            "1380013".to_owned()
        } else {
            format!(
                "1{}{:09}",
                rng.random_range(3..10),
                rng.random_range(0..1_000_000_000_u64)
            )
        };
        let email = if rng.random_bool(0.01) {
            format!("user{serial}@@example.cn")
        } else {
            format!("user{serial}@example.cn")
        };
        csv.push_str(&format!(
            "{}{},{},{phone},{email},{},{},展位咨询\n",
            pick(rng, SURNAMES),
            pick(rng, GIVEN),
            company(rng, serial),
            pick(rng, REGIONS),
            pick(rng, SOURCES),
        ));
    }
    csv
}

/// An index of `records` existing accounts and leads with owners.
fn existing_index(records: u64, rng: &mut ChaCha8Rng) -> DuplicateIndex {
    let mut index = DuplicateIndex::with_capacity(records as usize);
    let owners: Vec<UserId> = (0..200)
        .map(|rep| UserId::new(format!("rep-{rep}")).expect("valid id"))
        .collect();
    for serial in 0..records {
        let phone = format!(
            "1{}{:09}",
            rng.random_range(3..10),
            rng.random_range(0..1_000_000_000_u64)
        );
        let email = format!("contact{serial}@customer.cn");
        let keys = DuplicateKeys::from_fields(&company(rng, serial), Some(&phone), Some(&email));
        let record = if serial % 4 == 0 {
            RecordRef::Account(AccountId::new(format!("acc-{serial}")).expect("valid id"))
        } else {
            RecordRef::Lead(LeadId::new(format!("lead-{serial}")).expect("valid id"))
        };
        let owner = owners[rng.random_range(0..owners.len())].clone();
        index.insert(record, &keys, Some(owner));
    }
    index
}

fn import(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let utf8 = csv_rows(100_000, &mut rng);
    let gbk = encoding_rs::GB18030.encode(&utf8).0.into_owned();
    let options = ImportOptions::new("bench", ChannelId::new("trade_show").expect("valid id"));
    let empty = DuplicateIndex::new();

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("100k_rows_utf8", |bench| {
        bench.iter(|| {
            let report = import_leads(black_box(utf8.as_bytes()), &options, &empty, NOW);
            black_box(report.map(|report| report.imported.len()))
        });
    });
    group.bench_function("100k_rows_gbk", |bench| {
        bench.iter(|| {
            let report = import_leads(black_box(&gbk), &options, &empty, NOW);
            black_box(report.map(|report| report.imported.len()))
        });
    });
    group.finish();
}

fn duplicate_check(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let index = existing_index(1_000_000, &mut rng);
    assert_eq!(index.len(), 1_000_000);
    // A lead that collides on email and one that collides with nothing.
    let hit = ("某某公司", "13000000000", "contact777777@customer.cn");
    let miss = ("全新客户有限公司", "13999999999", "new@prospect.cn");
    assert!(
        !index
            .find(&DuplicateKeys::from_fields(hit.0, Some(hit.1), Some(hit.2)))
            .is_empty()
    );

    let mut group = c.benchmark_group("duplicate_check_1m");
    group.throughput(Throughput::Elements(1));
    for (name, (company, phone, email)) in [("hit", hit), ("miss", miss)] {
        group.bench_function(format!("normalise_and_find_{name}"), |bench| {
            bench.iter(|| {
                let keys = DuplicateKeys::from_fields(black_box(company), Some(phone), Some(email));
                black_box(index.find(&keys))
            });
        });
    }
    let keys = DuplicateKeys::from_fields(miss.0, Some(miss.1), Some(miss.2));
    group.bench_function("find_prepared_keys_miss", |bench| {
        bench.iter(|| black_box(index.find(black_box(&keys))));
    });
    group.finish();
}

criterion_group!(benches, import, duplicate_check);
criterion_main!(benches);
