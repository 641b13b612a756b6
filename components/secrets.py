"""Kubernetes Secrets as the program writes them: base64 `data`, values kept Pulumi secrets.

`data` rather than `stringData`: under server-side apply `stringData` is a write-only field
that the API server merges into `data`, so a key dropped from `stringData` lingers in `data`
forever. Writing `data` itself makes the Secret hold exactly the keys given.
"""

import base64
from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from o11y.conventions import MANAGED_BY


def encoded(value: str) -> str:
    """A Secret `data` value: the text's UTF-8 bytes, base64."""
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def opaque_secret(
    resource_name: str,
    name: str,
    namespace: str,
    values: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """An Opaque Secret holding `values`; each is a Pulumi secret in the inputs and the state."""
    keys = sorted(values)
    data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
        pulumi.Output.all(*(values[key] for key in keys)).apply(
            lambda texts: {key: encoded(text) for key, text in zip(keys, texts, strict=True)}
        )
    )
    # The Secret resource marks its `data` output secret itself (additional_secret_outputs).
    return k8s.core.v1.Secret(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=namespace, labels=dict(MANAGED_BY)
        ),
        type="Opaque",
        data=data,
        opts=opts,
    )
