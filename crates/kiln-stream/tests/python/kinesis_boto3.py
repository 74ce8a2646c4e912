"""boto3 against Kiln's Kinesis/Firehose endpoint, as a producer or consumer written for AWS would use it.

Usage: kinesis_boto3.py ENDPOINT_URL THROTTLED_ENDPOINT_URL

Run by crates/kiln-stream/tests/api_boto3.rs, which starts both endpoints (the second with a per-shard
limit of 100 records/s) over empty stream folders. Prints one line per check and a closing
"N passed, N failed" line; exits 1 when a check failed.
"""

import hashlib
import re
import sys
import time
import traceback

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL, THROTTLED_URL = sys.argv[1], sys.argv[2]
# Retries would hide what the endpoint answered the first time.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, url=URL, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=CONFIG,
    )


kinesis = client("kinesis")
firehose = client("firehose")
CHECKS = []
# Kinesis' SequenceNumber shape: a decimal string without leading zeros.
SEQUENCE = re.compile(r"0|[1-9]\d{0,128}")


def check(fn):
    CHECKS.append(fn)
    return fn


def error_of(call, *args, **kwargs):
    """The (code, message, HTTP status) of the ClientError a call raises."""
    try:
        call(*args, **kwargs)
    except ClientError as e:
        err = e.response["Error"]
        return err["Code"], err.get("Message", ""), e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError(f"{call.__name__} succeeded; an error was expected")


def shard_of(key, shards):
    """The shard whose hash-key range (as DescribeStream reports it) holds the key's MD5."""
    return shard_of_hash(int(hashlib.md5(key.encode()).hexdigest(), 16), shards)


def shard_of_hash(h, shards):
    """The shard whose hash-key range (as DescribeStream reports it) holds the hash key."""
    hits = [
        s["ShardId"]
        for s in shards
        if int(s["HashKeyRange"]["StartingHashKey"]) <= h <= int(s["HashKeyRange"]["EndingHashKey"])
    ]
    assert len(hits) == 1, (h, hits)
    return hits[0]


def read_all(stream, shard_id, iterator_type="TRIM_HORIZON", limit=37, **kwargs):
    """Pages GetRecords from an iterator until a page comes back empty at the tip."""
    it = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard_id, ShardIteratorType=iterator_type, **kwargs
    )["ShardIterator"]
    out = []
    for _ in range(10_000):
        page = kinesis.get_records(ShardIterator=it, Limit=limit)
        assert len(page["Records"]) <= limit
        out.extend(page["Records"])
        it = page["NextShardIterator"]
        if not page["Records"]:
            assert page["MillisBehindLatest"] == 0, page["MillisBehindLatest"]
            return out, it
    raise AssertionError("GetRecords never reached the tip")


@check
def streams_are_created_listed_and_described():
    kinesis.create_stream(StreamName="orders", ShardCount=4)
    kinesis.create_stream(StreamName="single")
    kinesis.create_stream(StreamName="auto", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.get_waiter("stream_exists").wait(StreamName="orders", WaiterConfig={"Delay": 0.1, "MaxAttempts": 5})
    names = kinesis.list_streams()["StreamNames"]
    assert names == ["auto", "orders", "single"], names
    summaries = kinesis.list_streams(Limit=2)
    assert summaries["HasMoreStreams"] is True and len(summaries["StreamNames"]) == 2, summaries
    rest = kinesis.list_streams(NextToken=summaries["NextToken"])
    assert rest["StreamNames"] == ["single"] and rest["HasMoreStreams"] is False, rest
    arns = {s["StreamName"]: s["StreamARN"] for s in kinesis.list_streams()["StreamSummaries"]}
    assert arns["orders"] == "arn:aws:kinesis:us-east-1:000000000000:stream/orders", arns

    d = kinesis.describe_stream(StreamName="orders")["StreamDescription"]
    assert d["StreamStatus"] == "ACTIVE" and d["HasMoreShards"] is False, d
    assert d["RetentionPeriodHours"] == 24 and d["EncryptionType"] == "NONE", d
    assert abs(d["StreamCreationTimestamp"].timestamp() - time.time()) < 60, d["StreamCreationTimestamp"]
    shards = d["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(4)], shards
    # The ranges cover the whole 128-bit hash space without gaps or overlaps.
    assert int(shards[0]["HashKeyRange"]["StartingHashKey"]) == 0
    assert int(shards[-1]["HashKeyRange"]["EndingHashKey"]) == 2**128 - 1
    for a, b in zip(shards, shards[1:]):
        assert int(a["HashKeyRange"]["EndingHashKey"]) + 1 == int(b["HashKeyRange"]["StartingHashKey"])
    # Exactly the ranges Kinesis gives a new stream: shard i starts at i * floor(2^128 / n).
    assert [int(s["HashKeyRange"]["StartingHashKey"]) for s in shards] == [i * 2**126 for i in range(4)], shards
    assert len(kinesis.describe_stream(StreamName="single")["StreamDescription"]["Shards"]) == 1
    assert len(kinesis.describe_stream(StreamName="auto")["StreamDescription"]["Shards"]) == 4

    by_arn = kinesis.describe_stream_summary(StreamARN=arns["orders"])["StreamDescriptionSummary"]
    assert by_arn["StreamName"] == "orders" and by_arn["OpenShardCount"] == 4, by_arn
    listed = kinesis.list_shards(StreamName="orders", MaxResults=3)
    assert len(listed["Shards"]) == 3 and "NextToken" in listed, listed
    assert [s["ShardId"] for s in kinesis.list_shards(NextToken=listed["NextToken"])["Shards"]] == [
        "shardId-000000000003"
    ]
    # The ARN's region is the one the client signs for.
    eu = client("kinesis", region="eu-west-1")
    arn = eu.describe_stream(StreamName="single")["StreamDescription"]["StreamARN"]
    assert arn == "arn:aws:kinesis:eu-west-1:000000000000:stream/single", arn


@check
def creating_an_existing_stream_or_using_a_missing_one_fails_as_kinesis_does():
    code, message, status = error_of(kinesis.create_stream, StreamName="orders", ShardCount=1)
    assert (code, status) == ("ResourceInUseException", 400), (code, message, status)
    code, message, status = error_of(kinesis.describe_stream, StreamName="nope")
    assert code == "ResourceNotFoundException", code
    assert message == "Stream nope under account 000000000000 not found.", message
    code, message, status = error_of(kinesis.put_record, StreamName="nope", PartitionKey="k", Data=b"x")
    assert (code, status) == ("ResourceNotFoundException", 400), (code, status)
    assert message == "Stream nope under account 000000000000 not found.", message
    code, _, _ = error_of(kinesis.put_records, StreamName="nope", Records=[{"PartitionKey": "k", "Data": b"x"}])
    assert code == "ResourceNotFoundException", code
    code, _, _ = error_of(kinesis.create_stream, StreamName="too-many", ShardCount=1000)
    assert code == "LimitExceededException", code


PUT = {}  # shard id -> [(sequence, key, data)] in the order put


@check
def put_record_lands_on_the_md5_shard():
    shards = kinesis.describe_stream(StreamName="orders")["StreamDescription"]["Shards"]
    for key in ["alpha", "beta", "gamma"]:
        r = kinesis.put_record(StreamName="orders", PartitionKey=key, Data=f"single-{key}".encode())
        assert r["ShardId"] == shard_of(key, shards), (key, r)
        assert r["EncryptionType"] == "NONE"
        PUT.setdefault(r["ShardId"], []).append((int(r["SequenceNumber"]), key, f"single-{key}".encode()))
    # An explicit hash key overrides the partition key's, on the shard whose range holds it
    # (the edges of the ranges included).
    for hash_key, shard_id in [
        (2**128 - 1, "shardId-000000000003"),
        (2**126 - 1, "shardId-000000000000"),
        (2**126, "shardId-000000000001"),
        (3 * 2**126 - 1, "shardId-000000000002"),
        (0, "shardId-000000000000"),
    ]:
        data = f"explicit-{hash_key}".encode()
        r = kinesis.put_record(StreamName="orders", PartitionKey="alpha", ExplicitHashKey=str(hash_key), Data=data)
        assert r["ShardId"] == shard_id == shard_of_hash(hash_key, shards), (hash_key, r)
        PUT.setdefault(r["ShardId"], []).append((int(r["SequenceNumber"]), "alpha", data))
    # A three-shard stream has the boundaries `aws kinesis describe-stream` shows for one.
    kinesis.create_stream(StreamName="three", ShardCount=3)
    three = kinesis.describe_stream(StreamName="three")["StreamDescription"]["Shards"]
    assert [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in three] == [
        ("0", "113427455640312821154458202477256070484"),
        ("113427455640312821154458202477256070485", "226854911280625642308916404954512140969"),
        ("226854911280625642308916404954512140970", "340282366920938463463374607431768211455"),
    ], three
    for key in ["alpha", "beta", "gamma", "delta"]:
        r = kinesis.put_record(StreamName="three", PartitionKey=key, Data=b"x")
        assert r["ShardId"] == shard_of(key, three), (key, r)
    kinesis.delete_stream(StreamName="three")


@check
def put_records_of_500_all_land_in_order_on_their_shards():
    shards = kinesis.describe_stream(StreamName="orders")["StreamDescription"]["Shards"]
    records = [{"PartitionKey": f"key-{i}", "Data": f"record-{i}".encode()} for i in range(500)]
    r = kinesis.put_records(StreamName="orders", Records=records)
    assert r["FailedRecordCount"] == 0, r["FailedRecordCount"]
    assert len(r["Records"]) == 500
    last = {}
    for rec, out in zip(records, r["Records"]):
        assert out["ShardId"] == shard_of(rec["PartitionKey"], shards), (rec, out)
        seq = int(out["SequenceNumber"])
        assert seq > last.get(out["ShardId"], 0), (out, last)
        last[out["ShardId"]] = seq
        PUT.setdefault(out["ShardId"], []).append((seq, rec["PartitionKey"], rec["Data"]))
    assert len(last) == 4, "500 keys should reach every one of 4 shards"


@check
def put_limits_give_the_errors_kinesis_gives():
    code, message, status = error_of(
        kinesis.put_records, StreamName="orders", Records=[{"PartitionKey": "k", "Data": b"x"}] * 501
    )
    assert (code, status) == ("ValidationException", 400), (code, status)
    assert message.startswith("1 validation error detected: Value ") and message.endswith(
        "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"
    ), message
    one_mib = 1 << 20
    code, message, _ = error_of(
        kinesis.put_records, StreamName="orders", Records=[{"PartitionKey": "k", "Data": b"a" * (one_mib + 1)}]
    )
    assert code == "InvalidArgumentException", (code, message)
    code, message, _ = error_of(kinesis.put_record, StreamName="orders", PartitionKey="k", Data=b"a" * (one_mib + 1))
    assert code == "InvalidArgumentException", (code, message)
    # The limit counts the partition key too: data + key of exactly 1 MiB is fine, one byte more is not.
    ok = kinesis.put_record(StreamName="single", PartitionKey="key", Data=b"a" * (one_mib - 3))
    assert ok["ShardId"] == "shardId-000000000000"
    code, _, _ = error_of(kinesis.put_record, StreamName="single", PartitionKey="key", Data=b"a" * (one_mib - 2))
    assert code == "InvalidArgumentException", code
    # A whole request over 10 MiB (AWS's PutRecords limit, keys included).
    code, message, _ = error_of(
        kinesis.put_records, StreamName="orders", Records=[{"PartitionKey": "k", "Data": b"b" * 1_000_000}] * 11
    )
    assert (code, message) == ("InvalidArgumentException", "Records size exceeds 10 MB limit"), (code, message)
    code, message, _ = error_of(kinesis.put_record, StreamName="orders", PartitionKey="k" * 257, Data=b"x")
    assert code == "ValidationException" and "'partitionKey'" in message, (code, message)
    # Nothing of a refused request was appended.
    d = kinesis.describe_stream(StreamName="orders")["StreamDescription"]
    total = sum(len(read_all("orders", s["ShardId"], limit=10_000)[0]) for s in d["Shards"])
    assert total == sum(len(v) for v in PUT.values()), (total, sum(len(v) for v in PUT.values()))


@check
def get_records_pages_back_exactly_what_was_put():
    for shard_id, expected in PUT.items():
        got, _ = read_all("orders", shard_id, limit=37)
        assert [(int(r["SequenceNumber"]), r["PartitionKey"], r["Data"]) for r in got] == expected, shard_id
        for r in got:
            assert abs(r["ApproximateArrivalTimestamp"].timestamp() - time.time()) < 120
    shard_id, expected = max(PUT.items(), key=lambda kv: len(kv[1]))
    tenth = expected[9][0]
    after, _ = read_all("orders", shard_id, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=str(tenth))
    assert [int(r["SequenceNumber"]) for r in after] == [e[0] for e in expected[10:]]
    at, _ = read_all("orders", shard_id, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=str(tenth))
    assert [int(r["SequenceNumber"]) for r in at] == [e[0] for e in expected[9:]]
    code, _, _ = error_of(
        kinesis.get_shard_iterator,
        StreamName="orders",
        ShardId=shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="999999999",
    )
    assert code == "InvalidArgumentException", code
    code, _, _ = error_of(
        kinesis.get_shard_iterator, StreamName="orders", ShardId="shardId-000000000009", ShardIteratorType="LATEST"
    )
    assert code == "ResourceNotFoundException", code


@check
def latest_and_at_timestamp_see_only_later_records():
    kinesis.put_records(StreamName="single", Records=[{"PartitionKey": "p", "Data": b"old-%d" % i} for i in range(5)])
    it = kinesis.get_shard_iterator(StreamName="single", ShardId="shardId-000000000000", ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    page = kinesis.get_records(ShardIterator=it)
    assert page["Records"] == [] and page["MillisBehindLatest"] == 0, page
    # boto3 sends a Timestamp as whole epoch seconds (botocore's default precision), as it does to
    # AWS: start the new records in a second of their own so the truncated cut still separates them.
    time.sleep(1.05 - time.time() % 1)
    cut = time.time()
    kinesis.put_records(StreamName="single", Records=[{"PartitionKey": "p", "Data": b"new-%d" % i} for i in range(3)])
    page = kinesis.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["Data"] for r in page["Records"]] == [b"new-0", b"new-1", b"new-2"], page["Records"]
    since, _ = read_all("single", "shardId-000000000000", "AT_TIMESTAMP", Timestamp=cut)
    assert [r["Data"] for r in since] == [b"new-0", b"new-1", b"new-2"], [r["Data"] for r in since]


@check
def sequence_numbers_increase_and_consumers_see_how_far_behind_they_are():
    kinesis.create_stream(StreamName="lag", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="lag", WaiterConfig={"Delay": 0.1, "MaxAttempts": 5})
    seqs = []
    for i in range(4):
        # SequenceNumberForOrdering (the previous record's number) is accepted: ordering per key holds anyway.
        extra = {"SequenceNumberForOrdering": seqs[-1]} if seqs else {}
        r = kinesis.put_record(StreamName="lag", PartitionKey="same-key", Data=b"lag-%d" % i, **extra)
        assert isinstance(r["SequenceNumber"], str) and SEQUENCE.fullmatch(r["SequenceNumber"]), r
        seqs.append(r["SequenceNumber"])
        time.sleep(0.1)
    assert [int(s) for s in seqs] == sorted({int(s) for s in seqs}), seqs
    it = kinesis.get_shard_iterator(StreamName="lag", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    behind = []
    got = []
    while True:
        page = kinesis.get_records(ShardIterator=it, Limit=1)
        assert page["NextShardIterator"], page
        it = page["NextShardIterator"]
        if not page["Records"]:
            assert page["MillisBehindLatest"] == 0, page
            break
        got.extend(r["SequenceNumber"] for r in page["Records"])
        behind.append(page["MillisBehindLatest"])
    assert got == seqs, (got, seqs)
    # The first of four records 100 ms apart is about 300 ms behind the newest; the last is caught up.
    assert behind[0] >= 250 and behind == sorted(behind, reverse=True) and behind[-1] == 0, behind
    LAG["iterator"] = it


LAG = {}


@check
def deleted_streams_are_gone_for_waiters_lists_and_old_iterators():
    kinesis.delete_stream(StreamName="lag")
    kinesis.get_waiter("stream_not_exists").wait(StreamName="lag", WaiterConfig={"Delay": 0.1, "MaxAttempts": 5})
    assert "lag" not in kinesis.list_streams()["StreamNames"]
    code, message, _ = error_of(kinesis.get_records, ShardIterator=LAG["iterator"])
    assert (code, message) == ("ResourceNotFoundException", "Stream lag under account 000000000000 not found."), (
        code,
        message,
    )
    code, _, _ = error_of(kinesis.delete_stream, StreamName="lag")
    assert code == "ResourceNotFoundException", code
    # A new stream of the same name starts empty; the old stream's iterator does not read it.
    kinesis.create_stream(StreamName="lag", ShardCount=1)
    kinesis.put_record(StreamName="lag", PartitionKey="k", Data=b"new")
    code, _, _ = error_of(kinesis.get_records, ShardIterator=LAG["iterator"])
    assert code == "ExpiredIteratorException", code
    fresh, _ = read_all("lag", "shardId-000000000000")
    assert [r["Data"] for r in fresh] == [b"new"], fresh
    kinesis.delete_stream(StreamName="lag")


@check
def a_garbage_iterator_is_refused():
    code, _, status = error_of(kinesis.get_records, ShardIterator="bm90LWFuLWl0ZXJhdG9y")
    assert (code, status) == ("InvalidArgumentException", 400), (code, status)


@check
def throttled_shards_fail_records_one_by_one_as_kinesis_reports_them():
    k = client("kinesis", url=THROTTLED_URL)
    k.create_stream(StreamName="hot", ShardCount=1)
    r = k.put_records(StreamName="hot", Records=[{"PartitionKey": f"k{i}", "Data": b"x"} for i in range(500)])
    failed = [x for x in r["Records"] if "ErrorCode" in x]
    assert r["FailedRecordCount"] == len(failed) > 0, r["FailedRecordCount"]
    for x in failed:
        assert x["ErrorCode"] == "ProvisionedThroughputExceededException", x
        assert x["ErrorMessage"] == "Rate exceeded for shard shardId-000000000000 in stream hot under account 000000000000.", x
        assert "SequenceNumber" not in x
    assert all("SequenceNumber" in x and x["ShardId"] == "shardId-000000000000" for x in r["Records"] if "ErrorCode" not in x)

    f = client("firehose", url=THROTTLED_URL)
    f.create_delivery_stream(DeliveryStreamName="hot-fh")
    r = f.put_record_batch(DeliveryStreamName="hot-fh", Records=[{"Data": b"x"}] * 500)
    failed = [x for x in r["RequestResponses"] if "ErrorCode" in x]
    assert r["FailedPutCount"] == len(failed) > 0, r["FailedPutCount"]
    assert all(x == {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."} for x in failed), failed[0]
    assert all(set(x) == {"RecordId"} for x in r["RequestResponses"] if "ErrorCode" not in x)
    assert r["Encrypted"] is False


SENSORS_REDSHIFT = {
    "RoleARN": "arn:aws:iam::123456789012:role/firehose-redshift",
    "ClusterJDBCURL": "jdbc:redshift://sensors.abc.us-east-1.redshift.amazonaws.com:5439/dev",
    "CopyCommand": {
        "DataTableName": "sensor.message",
        "DataTableColumns": "guid,ts,temp",
        "CopyOptions": "json 'auto'",
    },
    "Username": "awsuser",
    "Password": "Sup3r-secret-pw",
    "S3Configuration": {
        "RoleARN": "arn:aws:iam::123456789012:role/firehose-redshift",
        "BucketARN": "arn:aws:s3:::sensors-staging",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "CompressionFormat": "UNCOMPRESSED",
    },
}


@check
def firehose_delivery_streams_keep_their_redshift_destination():
    arn = firehose.create_delivery_stream(
        DeliveryStreamName="sensors",
        DeliveryStreamType="DirectPut",
        RedshiftDestinationConfiguration=SENSORS_REDSHIFT,
    )["DeliveryStreamARN"]
    assert arn == "arn:aws:firehose:us-east-1:000000000000:deliverystream/sensors", arn
    firehose.create_delivery_stream(DeliveryStreamName="plain")
    code, _, _ = error_of(firehose.create_delivery_stream, DeliveryStreamName="sensors")
    assert code == "ResourceInUseException", code
    listed = firehose.list_delivery_streams()
    assert listed["DeliveryStreamNames"] == ["plain", "sensors"] and listed["HasMoreDeliveryStreams"] is False, listed
    d = firehose.describe_delivery_stream(DeliveryStreamName="sensors")["DeliveryStreamDescription"]
    assert (d["DeliveryStreamStatus"], d["DeliveryStreamType"], d["VersionId"]) == ("ACTIVE", "DirectPut", "1"), d
    assert d["HasMoreDestinations"] is False and len(d["Destinations"]) == 1, d
    rs = d["Destinations"][0]["RedshiftDestinationDescription"]
    assert rs["CopyCommand"] == SENSORS_REDSHIFT["CopyCommand"], rs["CopyCommand"]
    assert rs["S3DestinationDescription"]["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 60}, rs
    assert "Password" not in rs
    plain = firehose.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]
    assert plain["Destinations"] == [], plain
    code, message, _ = error_of(firehose.describe_delivery_stream, DeliveryStreamName="nope")
    assert code == "ResourceNotFoundException", code
    assert message == "Firehose nope under account 000000000000 not found.", message


@check
def firehose_puts_and_their_limits():
    r = firehose.put_record(DeliveryStreamName="sensors", Record={"Data": b'{"guid":"a","ts":1,"temp":20.5}\n'})
    assert len(r["RecordId"]) >= 56 and r["Encrypted"] is False, r
    batch = [{"Data": b'{"guid":"b","ts":%d,"temp":21}\n' % i} for i in range(3)]
    r = firehose.put_record_batch(DeliveryStreamName="sensors", Records=batch)
    assert r["FailedPutCount"] == 0 and r["Encrypted"] is False, r
    ids = [x["RecordId"] for x in r["RequestResponses"]]
    assert len(set(ids)) == 3 and all(len(i) >= 56 for i in ids), ids

    code, message, _ = error_of(firehose.put_record_batch, DeliveryStreamName="sensors", Records=[{"Data": b"x"}] * 501)
    assert code == "ValidationException" and message.endswith("less than or equal to 500"), (code, message)
    code, message, _ = error_of(firehose.put_record, DeliveryStreamName="sensors", Record={"Data": b"a" * 1_024_001})
    assert code == "ValidationException" and message.endswith("less than or equal to 1024000"), (code, message)
    assert "'record.data'" in message, message
    code, message, _ = error_of(
        firehose.put_record_batch, DeliveryStreamName="sensors", Records=[{"Data": b"a"}, {"Data": b"a" * 1_024_001}]
    )
    assert code == "ValidationException" and "'records.2.member.data'" in message, (code, message)
    # A record of exactly 1,000 KiB is fine; five of them are over the 4 MiB batch limit.
    firehose.put_record(DeliveryStreamName="plain", Record={"Data": b"a" * 1_024_000})
    code, message, _ = error_of(
        firehose.put_record_batch, DeliveryStreamName="plain", Records=[{"Data": b"a" * 1_000_000}] * 5
    )
    assert (code, message) == ("InvalidArgumentException", "Records size exceeds 4 MB limit"), (code, message)
    code, message, _ = error_of(firehose.put_record, DeliveryStreamName="nope", Record={"Data": b"x"})
    assert (code, message) == ("ResourceNotFoundException", "Firehose nope under account 000000000000 not found."), (
        code,
        message,
    )


@check
def firehose_delivery_streams_are_deleted():
    firehose.create_delivery_stream(DeliveryStreamName="temp", DeliveryStreamType="DirectPut")
    assert "temp" in firehose.list_delivery_streams()["DeliveryStreamNames"]
    r = firehose.put_record_batch(DeliveryStreamName="temp", Records=[{"Data": b"gone"}])
    assert r["FailedPutCount"] == 0, r
    firehose.delete_delivery_stream(DeliveryStreamName="temp")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["plain", "sensors"]
    code, message, _ = error_of(firehose.describe_delivery_stream, DeliveryStreamName="temp")
    assert (code, message) == ("ResourceNotFoundException", "Firehose temp under account 000000000000 not found."), (
        code,
        message,
    )
    code, _, _ = error_of(firehose.delete_delivery_stream, DeliveryStreamName="temp")
    assert code == "ResourceNotFoundException", code


failures = 0
for fn in CHECKS:
    try:
        fn()
        print(f"ok   {fn.__name__}")
    except Exception:  # noqa: BLE001 - every failure is reported, then the run fails
        failures += 1
        print(f"FAIL {fn.__name__}")
        # Long lines (a 1 MiB record in an assertion message) are cut to stay readable.
        for line in traceback.format_exc().splitlines():
            print(line if len(line) <= 2000 else line[:2000] + f"... ({len(line)} characters)")
print(f"{len(CHECKS) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
