"""ferry_tfevents on event files written by a real TensorBoard writer (tensorboardX)."""

import glob
import os
import struct

import pytest

from conftest import RUNTIME

import sys

sys.path.insert(0, str(RUNTIME.parent))
import ferry_tfevents  # noqa: E402

tensorboardX = pytest.importorskip("tensorboardX")


def write_events(log_dir, steps=5):
    """Scalars, plus a histogram and a text summary a scalar reader must ignore, and a
    TF2-style scalar (a tensor with the "scalars" plugin) the way tf.summary writes it."""
    from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboardX.proto.tensor_pb2 import TensorProto

    writer = tensorboardX.SummaryWriter(str(log_dir))
    for step in range(steps):
        writer.add_scalar("train/loss", 1.0 / (step + 1), step)
        writer.add_histogram("weights", [0.1, 0.2, 0.3 + step], step)
    writer.add_text("notes", "not a number", 0)
    for step, value in ((0, 0.25), (1, 0.75)):
        # The metadata goes with a tag's first value only, as TensorFlow writes it.
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars")) if step == 0 else None
        value_proto = Summary.Value(tag="accuracy", tensor=TensorProto(dtype=1, float_val=[value]))
        if metadata is not None:
            value_proto.metadata.CopyFrom(metadata)
        writer._get_file_writer().add_summary(Summary(value=[value_proto]), step)
    writer.close()
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    return path


def read_all(path):
    problems = []
    points = ferry_tfevents.EventFileReader(path).read_new(problems.append)
    return points, problems


def series(points, tag):
    return [(p.step, p.value) for p in points if p.tag == tag]


def test_scalars_and_tensor_scalars_are_read_and_other_summaries_ignored(tmp_path):
    path = write_events(tmp_path)
    points, problems = read_all(path)
    assert problems == []
    assert series(points, "train/loss") == [(s, pytest.approx(1.0 / (s + 1), rel=1e-6)) for s in range(5)]
    assert series(points, "accuracy") == [(0, 0.25), (1, 0.75)]
    assert {p.tag for p in points} == {"train/loss", "accuracy"}
    assert all(p.wall_time > 1.6e9 for p in points)


def test_a_torn_last_record_is_read_once_it_is_complete(tmp_path):
    whole = open(write_events(tmp_path / "whole"), "rb").read()
    growing = tmp_path / "events.out.tfevents.1.host"
    cut = len(whole) - 7  # inside the last record's data
    growing.write_bytes(whole[:cut])
    reader = ferry_tfevents.EventFileReader(str(growing))
    problems = []
    first = reader.read_new(problems.append)
    assert reader.offset < cut  # stopped at the start of the torn record
    with open(growing, "ab") as file:
        file.write(whole[cut:])
    second = reader.read_new(problems.append)
    assert problems == []
    assert reader.read_new(problems.append) == []
    expected, _ = read_all(str(growing))
    assert [(p.tag, p.step, p.value) for p in first + second] == [(p.tag, p.step, p.value) for p in expected]
    assert series(second, "accuracy") == [(1, 0.75)]  # the torn record was the last scalar


def test_a_torn_length_header_waits_too(tmp_path):
    whole = open(write_events(tmp_path / "whole"), "rb").read()
    growing = tmp_path / "events.out.tfevents.2.host"
    growing.write_bytes(whole[:5])  # not even the length and its checksum
    reader = ferry_tfevents.EventFileReader(str(growing))
    assert reader.read_new(pytest.fail) == [] and reader.offset == 0
    growing.write_bytes(whole)
    assert len(series(reader.read_new(pytest.fail), "train/loss")) == 5


def test_a_damaged_record_is_skipped_with_its_offset_and_the_rest_is_read(tmp_path):
    data = bytearray(open(write_events(tmp_path / "whole"), "rb").read())
    # Records: [file_version, loss 0, histogram 0, loss 1, ...]; damage loss 0's payload.
    offsets, position = [], 0
    while position < len(data):
        (length,) = struct.unpack_from("<Q", data, position)
        offsets.append(position)
        position += 12 + length + 4
    damaged = offsets[1]
    data[damaged + 12] ^= 0xFF
    path = tmp_path / "events.out.tfevents.3.host"
    path.write_bytes(bytes(data))
    points, problems = read_all(str(path))
    assert problems == ["record at byte %d: bad data checksum; record skipped" % damaged]
    assert [s for s, _ in series(points, "train/loss")] == [1, 2, 3, 4]


def test_crc32c_matches_the_published_check_value():
    assert ferry_tfevents.crc32c(b"123456789") == 0xE3069283
