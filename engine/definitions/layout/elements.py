"""The BPMN vocabulary the layout reads and writes: namespaces and the kinds of elements it draws."""
from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

EVENTS = {"startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask",
              "manualTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES
# Elements this tool does not place; a file that has them is laid out without them and the caller says so.
NOT_DRAWN = {"dataObjectReference", "dataStoreReference", "textAnnotation", "association", "group"}


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def kind_of(tag: str) -> str:
    if tag in EVENTS:
        return "event"
    if tag in GATEWAYS:
        return "gateway"
    return "activity"
