"""Deploy a synthesized CloudFormation template onto a moto server: what `cdk deploy` would
create, as far as a run needs it (tables, buckets, topics, functions with their real assets,
handlers and environments, the state machine with its substitutions resolved).

Test scaffolding for the parity test. Intrinsics are resolved strictly: a reference to
anything this deployer did not create, or a ``${Placeholder}`` left in the state machine's
definition, fails the deployment rather than being guessed around.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.aws.clients import client
from harness.config import CONFIG_JSON_ENV
from harness.local import lambda_runtime

ACCOUNT = "123456789012"
ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
SUB = re.compile(r"\$\{([A-Za-z0-9:.]+)\}")


class UnresolvedError(Exception):
    """The template refers to something the deployment does not have."""


@dataclass
class Deployment:
    template: dict[str, Any]
    assets: dict[str, Path]  # S3 object key -> asset path in the cloud assembly
    region: str
    endpoint: str
    suffix: str
    # The functions test this target instead of the synthesized one (as deploying a config
    # naming it would): its [target] keys replace those of their config.
    target: dict[str, Any] | None = None
    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def _client(self, service: str) -> Any:
        return client(service, region=self.region, endpoint_url=self.endpoint)

    # -- intrinsics ------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            return self._attr(logical, attribute)
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(self.resolve(part)) for part in parts)
        if "Fn::Sub" in value:
            return self._sub(value["Fn::Sub"])
        if len(value) == 1 and next(iter(value)).startswith("Fn::"):
            raise UnresolvedError(f"unsupported intrinsic {next(iter(value))}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "parity",
        }.get(name)

    def _ref(self, name: str) -> str:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        if name not in self.refs:
            raise UnresolvedError(f"Ref {name}: not deployed")
        return self.refs[name]

    def _attr(self, logical: str, attribute: str) -> str:
        if (logical, attribute) not in self.attrs:
            raise UnresolvedError(f"GetAtt {logical}.{attribute}: not deployed")
        return self.attrs[(logical, attribute)]

    def _sub(self, spec: Any) -> str:
        text, variables = (spec, {}) if isinstance(spec, str) else spec
        local = {key: str(self.resolve(item)) for key, item in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local:
                return local[name]
            if "." in name:
                return self._attr(*name.split(".", 1))
            return self._ref(name)

        return SUB.sub(one, text)

    # -- resources -------------------------------------------------------------------
    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            logical: resource.get("Properties", {})
            for logical, resource in self.template["Resources"].items()
            if resource["Type"] == kind
        }

    def deploy(self) -> Deployment:
        for logical, props in self.resources("AWS::DynamoDB::Table").items():
            self._table(logical, props)
        for logical, props in self.resources("AWS::S3::Bucket").items():
            self._bucket(logical, props)
        for logical, props in self.resources("AWS::SNS::Topic").items():
            name = props.get("TopicName") or f"{logical.lower()}-{self.suffix}"
            self.refs[logical] = self._client("sns").create_topic(Name=name)["TopicArn"]
        role = self._client("iam").create_role(
            RoleName=f"parity-{self.suffix}", AssumeRolePolicyDocument=ROLE_POLICY
        )["Role"]["Arn"]
        for logical in self.resources("AWS::IAM::Role"):
            self.attrs[(logical, "Arn")] = role
        later: dict[str, dict[str, Any]] = {}
        for logical, props in self.resources("AWS::Lambda::Function").items():
            try:
                self._function(logical, props)
            except UnresolvedError:
                later[logical] = props  # refers to the state machine (the maintenance job)
        for logical, props in self.resources("AWS::StepFunctions::StateMachine").items():
            self._state_machine(logical, props)
        for logical, props in later.items():
            self._function(logical, props)
        for name, output in self.template.get("Outputs", {}).items():
            try:
                self.outputs[name] = str(self.resolve(output["Value"]))
            except UnresolvedError:
                continue  # e.g. the dashboard's name: nothing a run needs
        return self

    def _table(self, logical: str, props: dict[str, Any]) -> None:
        name = f"{props['TableName']}-{self.suffix}"
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb = self._client("dynamodb")
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        self.refs[logical] = name
        self.attrs[(logical, "Arn")] = f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{name}"

    def _bucket(self, logical: str, props: dict[str, Any]) -> None:
        name = props.get("BucketName") or f"{logical.lower()[:40]}-{self.suffix}"
        s3 = self._client("s3")
        s3.create_bucket(Bucket=name)
        rules = [
            _lifecycle_rule(rule)
            for rule in props.get("LifecycleConfiguration", {}).get("Rules", [])
        ]
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": rules}
            )
        self.refs[logical] = name
        self.attrs[(logical, "Arn")] = f"arn:aws:s3:::{name}"

    def _function(self, logical: str, props: dict[str, Any]) -> None:
        asset = self.assets[props["Code"]["S3Key"]]
        environment = {  # resolved first: an unresolved reference creates nothing
            key: str(self.resolve(value))
            for key, value in props.get("Environment", {}).get("Variables", {}).items()
        }
        if self.target is not None and CONFIG_JSON_ENV in environment:
            config = json.loads(environment[CONFIG_JSON_ENV])
            config["target"] = {**config.get("target", {}), **self.target}
            environment[CONFIG_JSON_ENV] = json.dumps(config)
        name = f"{logical[:40]}-{self.suffix}"
        created = self._client("lambda").create_function(
            FunctionName=name,
            Runtime=props["Runtime"],
            Role=self.resolve(props["Role"]),
            Handler=props["Handler"],
            Code={"ZipFile": _zip(asset)},
            Timeout=props.get("Timeout", 3),
            MemorySize=props.get("MemorySize", 128),
            Environment={"Variables": environment},
        )
        lambda_runtime.isolate(name)  # its own process, only its own environment
        self.refs[logical] = name
        self.attrs[(logical, "Arn")] = created["FunctionArn"]

    def _state_machine(self, logical: str, props: dict[str, Any]) -> None:
        definition = self.assets[props["DefinitionS3Location"]["Key"]].read_text()
        for name, value in props.get("DefinitionSubstitutions", {}).items():
            definition = definition.replace(f"${{{name}}}", str(self.resolve(value)))
        left = SUB.findall(definition)
        if left:
            raise UnresolvedError(f"state machine {logical}: placeholders left {sorted(left)}")
        arn = self._client("stepfunctions").create_state_machine(
            name=f"{props.get('StateMachineName', logical)}-{self.suffix}",
            definition=definition,
            roleArn=self.resolve(props["RoleArn"]),
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        self.refs[logical] = arn
        self.attrs[(logical, "Arn")] = arn


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule in the S3 API's shape (what a run's checks read)."""
    converted: dict[str, Any] = {
        "ID": rule.get("Id", "rule"),
        "Status": rule.get("Status", "Enabled"),
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": rule["ExpirationInDays"]}
    if "NoncurrentVersionExpiration" in rule:
        days = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        converted["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
    return converted


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(folder.rglob("*")):
            if item.is_file():
                archive.write(item, item.relative_to(folder).as_posix())
    return buffer.getvalue()


def deploy_stack(
    assembly: Path,
    stack: str,
    endpoint: str,
    suffix: str,
    region: str = "us-east-1",
    *,
    target: dict[str, Any] | None = None,
) -> Deployment:
    """Deploy ``<assembly>/<stack>.template.json`` with its assets onto the moto server
    (``target``: see ``Deployment.target``)."""
    template = json.loads((assembly / f"{stack}.template.json").read_text())
    manifest = json.loads((assembly / f"{stack}.assets.json").read_text())
    assets = {
        destination["objectKey"]: assembly / entry["source"]["path"]
        for entry in manifest["files"].values()
        for destination in entry["destinations"].values()
    }
    return Deployment(template, assets, region, endpoint, suffix, target=target).deploy()
