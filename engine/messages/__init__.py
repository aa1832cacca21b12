"""BPMN messages between running cases: the subscription projection, delivery and routing.

* ``engine.messages.service.send_message`` — deliver a message to the case(s) waiting for it
* ``engine.reactions.message_routing.route_thrown`` — messages a case throws: to a waiting case, else start a case
See docs/families.md ("Messages").
"""
