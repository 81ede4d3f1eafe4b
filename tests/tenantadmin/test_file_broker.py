"""The embedded file-system broker: a reader polling while other processes send sees only whole
messages. (kombu's own transport writes in place and loses a few percent of messages here.)"""

import multiprocessing
import time

import pytest
from kombu import Connection

TRANSPORT = "tenantadmin.broker:Transport"
WRITERS = 2
PER_WRITER = 150


def _write(folder: str, count: int, transport: str) -> None:
    options = {"data_folder_in": folder, "data_folder_out": folder, "store_processed": False}
    with Connection("filesystem://", transport=transport, transport_options=options) as connection:
        channel = connection.default_channel
        for n in range(count):
            # Large bodies widen the window in which a file exists but is not yet written.
            channel._put("race", {"n": n, "padding": "x" * 300_000})


def read_while_writing(folder, transport: str) -> tuple[int, int]:
    """(whole messages read, torn messages) while WRITERS processes send PER_WRITER messages each."""
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write, args=(str(folder), PER_WRITER, transport)) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    whole = torn = 0
    deadline = time.monotonic() + 60
    with Connection("filesystem://", transport=transport, transport_options=options) as connection:
        channel = connection.default_channel
        while whole + torn < WRITERS * PER_WRITER and time.monotonic() < deadline:
            try:
                channel._get("race")
                whole += 1
            except Exception as error:  # a torn file is a JSON error; an empty queue is Empty
                if type(error).__name__ != "Empty":
                    torn += 1
    for writer in writers:
        writer.join(timeout=30)
    return whole, torn


@pytest.mark.parametrize("transport", [TRANSPORT])
def test_messages_are_never_read_half_written(tmp_path, transport):
    whole, torn = read_while_writing(tmp_path, transport)
    assert torn == 0
    assert whole == WRITERS * PER_WRITER
