"""emulator.moto_fixes: DB instances with their own resource ids, as RDS gives them; DynamoDB
items sized once, with the same answers as moto's own."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamo_type
from moto.rds import models

from emulator.in_process import mocked_aws
from emulator.moto_fixes import MOTO_ITEM_LIMIT_BYTES, sized_once, unique_dbi_resource_ids
from emulator.server import Emulator


def _table() -> object:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    return ddb


def _item(payload_bytes: int, parts: int = 4) -> dict[str, dict[str, str]]:
    # the size spread over several attributes, none over the limit on its own
    each = payload_bytes // parts
    return {"pk": {"S": "k"}, **{f"a{i}": {"S": "x" * each} for i in range(parts)}}


def test_an_item_over_the_limit_is_refused_as_moto_refuses_it() -> None:
    with mocked_aws():
        ddb = _table()
        with pytest.raises(ClientError) as raised:
            ddb.put_item(TableName="t", Item=_item(MOTO_ITEM_LIMIT_BYTES + 100))
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        assert "Item size has exceeded the maximum allowed size" in str(raised.value)
        assert "Item" not in ddb.get_item(TableName="t", Key={"pk": {"S": "k"}})


def test_an_item_under_the_limit_is_stored_whole_and_nested_values_read_back() -> None:
    nested = {"M": {"steps": {"L": [{"M": {"name": {"S": "promote"}, "n": {"N": "3"}}}]},
                    "flags": {"SS": ["a", "b"]}}}
    with mocked_aws():
        ddb = _table()
        item = {**_item(MOTO_ITEM_LIMIT_BYTES - 1000), "run": nested, "ok": {"BOOL": True}}
        ddb.put_item(TableName="t", Item=item)
        got = ddb.get_item(TableName="t", Key={"pk": {"S": "k"}}, ConsistentRead=True)["Item"]
    assert got == item
    # a later UpdateItem still goes through moto's own per-set check
    with mocked_aws():
        ddb = _table()
        ddb.put_item(TableName="t", Item=_item(MOTO_ITEM_LIMIT_BYTES - 1000))
        with pytest.raises(ClientError, match="Item size to update has exceeded"):
            ddb.update_item(TableName="t", Key={"pk": {"S": "k"}},
                            UpdateExpression="SET big = :b",
                            ExpressionAttributeValues={":b": {"S": "y" * 5000}})


def test_moto_s_own_init_is_back_after_the_block_even_when_it_raised() -> None:
    original = dynamo_type.Item.__init__
    with pytest.raises(RuntimeError), sized_once():
        assert dynamo_type.Item.__init__ is not original
        raise RuntimeError
    assert dynamo_type.Item.__init__ is original


def _instance(rds: object, name: str) -> dict[str, object]:
    return rds.create_db_instance(  # type: ignore[attr-defined, no-any-return]
        DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="u", MasterUserPassword="password1")["DBInstance"]


def test_each_db_instance_gets_its_own_resource_id_and_a_snapshot_keeps_its_source_s() -> None:
    with mocked_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        a, b = _instance(rds, "a"), _instance(rds, "b")
        replica = rds.create_db_instance_read_replica(
            DBInstanceIdentifier="a-replica", SourceDBInstanceIdentifier="a")["DBInstance"]
        ids = [a["DbiResourceId"], b["DbiResourceId"], replica["DbiResourceId"]]
        rds.delete_db_instance(DBInstanceIdentifier="b", SkipFinalSnapshot=True)
        again = _instance(rds, "b")          # re-created under the same name: a new database
        snap = rds.create_db_snapshot(DBSnapshotIdentifier="s", DBInstanceIdentifier="a")
        described = rds.describe_db_instances(DBInstanceIdentifier="a")["DBInstances"][0]
    assert len({*ids, again["DbiResourceId"]}) == 4
    assert all(re.fullmatch(r"db-[A-Z0-9]{26}", i) for i in ids)
    assert described["DbiResourceId"] == a["DbiResourceId"]          # immutable
    assert snap["DBSnapshot"]["DbiResourceId"] == a["DbiResourceId"]


def test_moto_s_own_instance_init_is_back_after_the_block() -> None:
    from moto.rds import models

    init, replica = models.DBInstance.__init__, models.RDSBackend.create_db_instance_read_replica
    with unique_dbi_resource_ids():
        assert models.DBInstance.__init__ is not init
        assert models.RDSBackend.create_db_instance_read_replica is not replica
    assert models.DBInstance.__init__ is init
    assert models.RDSBackend.create_db_instance_read_replica is replica


def _emulated_ids(emu: Emulator, *names: str) -> list[str]:
    rds = emu.client("rds", "us-east-1")
    return [rds.create_db_instance(
        DBInstanceIdentifier=n, Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="u", MasterUserPassword="password1",
    )["DBInstance"]["DbiResourceId"] for n in names]


def test_an_emulator_keeps_unique_resource_ids_when_an_earlier_one_stops_first() -> None:
    original = models.DBInstance.__init__
    saved = (original, models.RDSBackend.create_db_instance_read_replica,
             dynamo_type.Item.__init__)
    first, second = Emulator().start(), Emulator().start()
    try:
        first.stop()   # e.g. one drill ends while another in the process still runs
        ids = _emulated_ids(second, "p", "q")
    finally:
        second.stop()
        restored = models.DBInstance.__init__ is original
        # put moto back for the rest of the process, whatever the emulators left
        (models.DBInstance.__init__, models.RDSBackend.create_db_instance_read_replica,  # type: ignore[method-assign]
         dynamo_type.Item.__init__) = saved
    assert len(set(ids)) == 2, f"two live instances share DbiResourceId: {ids}"
    assert restored, "moto's DBInstance.__init__ is left patched after every emulator stopped"


def test_kms_key_pairs_are_made_on_first_use_and_answer_as_moto_s_own() -> None:
    from moto.kms import models as kms

    real = kms.generate_private_key
    made: list[str] = []

    def counted(spec: str) -> object:
        made.append(spec)
        return real(spec)

    kms.generate_private_key = counted   # type: ignore[assignment]
    try:
        with mocked_aws():
            client = boto3.client("kms", region_name="us-east-1")
            symmetric = client.create_key()["KeyMetadata"]["KeyId"]
            signing = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            assert made == []                       # nothing generated at creation
            blob = client.encrypt(KeyId=symmetric, Plaintext=b"x")["CiphertextBlob"]
            assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
            assert made == []                       # symmetric use needs no key pair
            sig = client.sign(KeyId=signing, Message=b"m",
                              SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
            assert client.verify(KeyId=signing, Message=b"m", Signature=sig,
                                 SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["SignatureValid"]
            assert made == ["RSA_2048"]             # once, on first use, for that key
            assert client.get_public_key(KeyId=signing)["PublicKey"]
            assert made == ["RSA_2048"]
    finally:
        kms.generate_private_key = real   # type: ignore[assignment]
    assert kms.generate_private_key is real
