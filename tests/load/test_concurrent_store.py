"""Two runs storing the same province and period at the same moment (a night and a backfill)."""

import threading

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from load.warehouse import Warehouse

HAI_PHONG = find_province("Hải Phòng")


def test_two_writers_of_the_same_answer_store_one_observation(settings, database_url):
    period = Period.parse("2026-02")
    answer = jobs.fetch(settings, HAI_PHONG, period)
    first = Warehouse(database_url)
    first.initialise()
    result = jobs.match(answer, HAI_PHONG, first)
    writers = [first, Warehouse(database_url)]
    start, stored, errors = threading.Barrier(len(writers)), [], []

    def store(warehouse: Warehouse) -> None:
        start.wait()
        try:
            stored.append(
                warehouse.store_ranking(answer.raw, HAI_PHONG, period, result, synthetic=True)
            )
        except Exception as error:  # the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=store, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(s.created for s in stored) == [False, True]
    assert len({s.observation_id for s in stored}) == 1
    counts = first.count_rows()
    assert (counts["observation"], counts["capture"], counts["score"]) == (1, 1, 126)
    for warehouse in writers:
        warehouse.close()
