"""Scalars from TensorBoard event files (``events.out.tfevents.*``), standard library only.

An event file is a sequence of TFRecords::

    uint64 length (little-endian) | uint32 masked CRC32C of length | data | uint32 masked CRC32C of data

where each ``data`` is a serialized ``tensorflow.Event`` protobuf. Only the
fields a scalar needs are decoded, by hand, so that Ferry needs neither
TensorFlow nor protobuf:

    Event:        1 wall_time (double), 2 step (int64), 5 summary (Summary)
    Summary:      1 value (repeated Summary.Value)
    Summary.Value 1 tag (string), 2 simple_value (float), 8 tensor (TensorProto),
                  9 metadata (SummaryMetadata: 1 plugin_data: 1 plugin_name)
    TensorProto:  1 dtype, 2 tensor_shape, 4 tensor_content, 5 float_val,
                  6 double_val, 7 int_val, 10 int64_val

Writers append records while a reader reads, so the last record may be torn:
``EventFileReader`` reads only whole records and resumes at the first
incomplete one, by byte offset.
"""

import struct

# ---------------------------------------------------------------------------
# CRC32C (Castagnoli), as TFRecord masks it


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---------------------------------------------------------------------------
# Protobuf wire format: just enough to walk messages


class _Malformed(ValueError):
    pass


def _varint(buffer, position):
    result = shift = 0
    while True:
        if position >= len(buffer):
            raise _Malformed("truncated varint")
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise _Malformed("varint too long")


def _fields(buffer):
    """Yields (field number, wire type, value) of one message: value is an int for
    varints, bytes for fixed32/fixed64/length-delimited fields."""
    position, end = 0, len(buffer)
    while position < end:
        key, position = _varint(buffer, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(buffer, position)
        elif wire == 1:
            value, position = buffer[position:position + 8], position + 8
        elif wire == 2:
            length, position = _varint(buffer, position)
            value, position = buffer[position:position + length], position + length
        elif wire == 5:
            value, position = buffer[position:position + 4], position + 4
        else:  # groups (3, 4) are not used by these messages
            raise _Malformed("unsupported wire type %d" % wire)
        if position > end:
            raise _Malformed("field %d runs past the end of its message" % number)
        yield number, wire, value


def _signed64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


# TensorProto dtypes that hold one real number, and how to read tensor_content.
_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_INT64, _DT_HALF = 1, 2, 3, 9, 19
_CONTENT_FORMATS = {_DT_FLOAT: "<f", _DT_DOUBLE: "<d", _DT_INT32: "<i", _DT_INT64: "<q", _DT_HALF: "<e"}


def _packed(value, wire, fixed_format):
    """A repeated numeric field: packed (length-delimited) or one element."""
    if wire == 2 and fixed_format:
        size = struct.calcsize(fixed_format)
        return [struct.unpack_from(fixed_format, value, i)[0] for i in range(0, len(value) - size + 1, size)]
    if wire == 2:  # packed varints
        items, position = [], 0
        while position < len(value):
            item, position = _varint(value, position)
            items.append(item)
        return items
    if fixed_format:
        return [struct.unpack(fixed_format, value)[0]]
    return [value]


def _tensor_scalar(buffer):
    """The number in a TensorProto holding exactly one real number, else None."""
    dtype, dims, content, numbers = None, 0, None, []
    for number, wire, value in _fields(buffer):
        if number == 1 and wire == 0:
            dtype = value
        elif number == 2 and wire == 2:  # tensor_shape: count the dims that are not 1
            dims = sum(1 for n, w, dim in _fields(value) if n == 2 and w == 2 and _dim_size(dim) != 1)
        elif number == 4 and wire == 2:
            content = value
        elif number == 5:
            numbers = _packed(value, wire, "<f")
        elif number == 6:
            numbers = _packed(value, wire, "<d")
        elif number in (7, 10):  # int_val, int64_val
            numbers = [_signed64(item) for item in _packed(value, wire, None)]
        elif number == 13:  # half_val: float16 bits in an int
            numbers = [struct.unpack("<e", struct.pack("<H", item & 0xFFFF))[0] for item in _packed(value, wire, None)]
    if dtype not in _CONTENT_FORMATS or dims:
        return None
    if content is not None:
        fmt = _CONTENT_FORMATS[dtype]
        return struct.unpack(fmt, content)[0] if len(content) == struct.calcsize(fmt) else None
    return numbers[0] if len(numbers) == 1 else None


def _dim_size(dim):
    """TensorShapeProto.Dim.size (field 1), default 0."""
    for number, wire, value in _fields(dim):
        if number == 1 and wire == 0:
            return _signed64(value)
    return 0


def _plugin_name(metadata):
    for number, wire, value in _fields(metadata):
        if number == 1 and wire == 2:  # plugin_data
            for inner, inner_wire, name in _fields(value):
                if inner == 1 and inner_wire == 2:
                    return name.decode("utf-8", "replace")
    return None


class ScalarPoint(object):
    __slots__ = ("tag", "value", "step", "wall_time")

    def __init__(self, tag, value, step, wall_time):
        self.tag, self.value, self.step, self.wall_time = tag, value, step, wall_time

    def __repr__(self):
        return "ScalarPoint(%r, %r, step=%r, wall_time=%r)" % (self.tag, self.value, self.step, self.wall_time)


def parse_event(data, plugins):
    """The scalar points of one serialized Event. ``plugins`` maps tag -> plugin
    name; writers put the metadata only on a tag's first value, so the caller
    keeps it across events."""
    wall_time, step, summary = 0.0, 0, None
    for number, wire, value in _fields(data):
        if number == 1 and wire == 1:
            wall_time = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0:
            step = _signed64(value)
        elif number == 5 and wire == 2:
            summary = value
    if summary is None:
        return []
    points = []
    for number, wire, value in _fields(summary):
        if number != 1 or wire != 2:
            continue
        tag, simple, tensor, plugin = None, None, None, None
        for field, field_wire, item in _fields(value):
            if field == 1 and field_wire == 2:
                tag = item.decode("utf-8", "replace")
            elif field == 2 and field_wire == 5:
                simple = struct.unpack("<f", item)[0]
            elif field == 8 and field_wire == 2:
                tensor = item
            elif field == 9 and field_wire == 2:
                plugin = _plugin_name(item)
        if tag is None:
            continue
        if plugin is not None:
            plugins[tag] = plugin
        if simple is not None:
            points.append(ScalarPoint(tag, simple, step, wall_time))
        elif tensor is not None and plugins.get(tag, "scalars") == "scalars":
            number_value = _tensor_scalar(tensor)
            if number_value is not None:
                points.append(ScalarPoint(tag, number_value, step, wall_time))
    return points


# ---------------------------------------------------------------------------
# Reading a file that is still being written

_HEADER = 12  # length (8) + its CRC (4)


class CorruptRecord(Exception):
    """A whole record whose checksum does not match: the file is damaged there."""

    def __init__(self, offset, problem):
        super().__init__("record at byte %d: %s" % (offset, problem))
        self.offset = offset


class EventFileReader(object):
    """Reads the scalar points added to one event file since the last call."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.plugins = {}
        self.broken = False  # a damaged length: nothing after it can be found again

    def read_new(self, on_problem):
        """Points from the whole records after ``offset``; ``on_problem(message)`` is told
        about damaged records (skipped) and malformed events (skipped)."""
        if self.broken:
            return []
        with open(self.path, "rb") as file:
            file.seek(self.offset)
            data = file.read()
        points, position = [], 0
        while len(data) - position >= _HEADER:
            header = data[position:position + 8]
            (length,) = struct.unpack("<Q", header)
            (length_crc,) = struct.unpack("<I", data[position + 8:position + 12])
            if masked_crc32c(header) != length_crc:
                if len(data) - position < _HEADER + 4 and not any(data[position:]):
                    break  # preallocated zeros of a write in progress: wait for it
                self.broken = True
                on_problem("record at byte %d: bad length checksum; the rest of the file is skipped"
                           % (self.offset + position))
                break
            end = position + _HEADER + length + 4
            if end > len(data):
                break  # torn: the writer has not finished this record yet
            payload = data[position + _HEADER:position + _HEADER + length]
            (payload_crc,) = struct.unpack("<I", data[end - 4:end])
            record_offset = self.offset + position
            position = end
            if masked_crc32c(payload) != payload_crc:
                on_problem("record at byte %d: bad data checksum; record skipped" % record_offset)
                continue
            try:
                points.extend(parse_event(payload, self.plugins))
            except (_Malformed, struct.error, UnicodeDecodeError) as exc:
                on_problem("record at byte %d: not a readable event (%s); skipped" % (record_offset, exc))
        self.offset += position
        return points
