"""A local server that speaks the Workato Event Streams API (and the Developer API topic endpoints), the Qala
Publishing API, the Boomi Event Notifications subscriptions API and the Messaging Resource API."""
