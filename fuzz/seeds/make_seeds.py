#!/usr/bin/env python3
"""Writes the fuzz seed corpora (small, valid-ish inputs libFuzzer mutates from).

read_response/: SOAP responses; sandbox_request/: one selector byte (the SOAPAction, or the token
endpoint) then a request body, with @TOKEN@ standing for a valid token of account A.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>{h}</soap:Header><soap:Body>{b}</soap:Body></soap:Envelope>')
NS = 'http://exacttarget.com/wsdl/partnerAPI'


def write(folder, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(HERE, folder, name), 'wb') as f:
        f.write(data)


responses = {
    'perform-ok': ENV.format(h='', b=f'<PerformResponseMsg xmlns="{NS}"><Results><Result><StatusCode>OK</StatusCode>'
        '<StatusMessage>Send 100 canceled</StatusMessage><OrdinalID>0</OrdinalID><Object xsi:type="Send"><ID>100</ID>'
        '<CorrelationID>c-1</CorrelationID><Status>Canceled</Status></Object><Task><StatusCode>OK</StatusCode>'
        '<ID>t-1</ID></Task></Result></Results><OverallStatus>OK</OverallStatus><OverallStatusMessage/>'
        '<RequestID>r-1</RequestID></PerformResponseMsg>'),
    'perform-has-errors': ENV.format(h='', b=f'<PerformResponseMsg xmlns="{NS}"><Results><Result><StatusCode>Error</StatusCode>'
        '<StatusMessage><![CDATA[Send <7> is &already canceled]]> &#x2713;</StatusMessage><ErrorCode>310008</ErrorCode>'
        '<Object xsi:type="ns1:Send" xmlns:ns1="' + NS + '"><ID>7</ID><Client><ID>1</ID></Client></Object></Result>'
        '<Result><StatusCode xsi:nil="true"/><Object xsi:type="Frobnicator"><ID>8</ID><Unknown>x</Unknown></Object></Result>'
        '</Results><OverallStatus>Has Errors</OverallStatus><OverallStatusMessage>1 of 2</OverallStatusMessage></PerformResponseMsg>'),
    'retrieve': ENV.format(h='', b=f'<RetrieveResponseMsg xmlns="{NS}"><OverallStatus>MoreDataAvailable</OverallStatus>'
        '<RequestID>r-2</RequestID><Results xsi:type="Send"><Client><ID>1001</ID></Client><ID>100</ID>'
        '<CreatedDate>2026-01-01T00:00:00Z</CreatedDate><EmailName>e &amp; f</EmailName><Status>Scheduled</Status>'
        '<NumberSent>0</NumberSent></Results><Results xsi:type="Email"><ID>3</ID></Results><Results><ID>4</ID></Results>'
        '</RetrieveResponseMsg>'),
    'fault': ENV.format(h='', b='<soap:Fault><faultcode xmlns:q0="http://schemas.xmlsoap.org/ws/2002/04/secext">q0:Security</faultcode>'
        '<faultstring>Login Failed</faultstring><faultactor>x</faultactor><detail><apifault xmlns="urn:fault.partner.exacttarget.com">'
        '<Code>17</Code><Message>Rate</Message><LogID>12</LogID></apifault></detail></soap:Fault>'),
    'soap12': '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>',
    'doctype': '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
}
for name, body in responses.items():
    write('read_response', name + '.xml', body)
small = os.path.join(HERE, '..', '..', '..', 'shared', 'peers', 'fixtures', 'perform-response-small.xml')
if os.path.exists(small):
    with open(small, 'rb') as f:
        write('read_response', 'peers-perform-response-small.xml', f.read())

TOKEN = '<fueloauth xmlns="http://exacttarget.com">@TOKEN@</fueloauth>'
USER = ('<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        '<wsse:UsernameToken><wsse:Username>ua</wsse:Username><wsse:Password>pw-a</wsse:Password></wsse:UsernameToken></wsse:Security>')


def perform(action, ids, corr=True):
    defs = ''.join(f'<Definition xsi:type="Send"><ID>{i}</ID>' + (f'<CorrelationID>c{i}</CorrelationID>' if corr else '') + '</Definition>' for i in ids)
    return f'<PerformRequestMsg xmlns="{NS}"><Options/><Action>{action}</Action><Definitions>{defs}</Definitions></PerformRequestMsg>'


def retrieve(filt=''):
    return (f'<RetrieveRequestMsg xmlns="{NS}"><RetrieveRequest><ObjectType>Send</ObjectType><Properties>ID</Properties>'
            f'<Properties>Status</Properties>{filt}</RetrieveRequest></RetrieveRequestMsg>')


requests = {
    'cancel-token': (0, ENV.format(h=TOKEN, b=perform('cancel', [100, 200, 101]))),
    'pause-user': (2, ENV.format(h=USER, b=perform('pause', [100], corr=False))),
    'resume-token': (0, ENV.format(h=TOKEN, b=perform('resume', [101, 102]))),
    'other-object': (0, ENV.format(h=TOKEN, b=f'<PerformRequestMsg xmlns="{NS}"><Action>cancel</Action><Definitions>'
        '<Definition xsi:type="Email"><ID>1</ID></Definition><Definition><ID>2</ID></Definition></Definitions></PerformRequestMsg>')),
    'retrieve-status': (1, ENV.format(h=TOKEN, b=retrieve('<Filter xsi:type="SimpleFilterPart"><Property>Status</Property>'
        '<SimpleOperator>equals</SimpleOperator><Value>Scheduled</Value></Filter>'))),
    'retrieve-complex': (3, ENV.format(h=USER, b=retrieve('<Filter xsi:type="ComplexFilterPart"><LeftOperand xsi:type="SimpleFilterPart">'
        '<Property>ID</Property><SimpleOperator>equals</SimpleOperator><Value>200</Value></LeftOperand>'
        '<LogicalOperator>OR</LogicalOperator></Filter>'))),
    'no-credentials': (0, ENV.format(h='', b=perform('cancel', [100]))),
    'bad-action': (7, ENV.format(h=TOKEN, b=perform('cancel', [100]))),
    'token-json': (8, '{"grant_type":"client_credentials","client_id":"a","client_secret":"secret-a","account_id":1001,"scope":"x"}'),
    'token-form': (9, 'grant_type=client_credentials&client_id=b&client_secret=secret-b&account_id=2002'),
}
for name, (selector, body) in requests.items():
    write('sandbox_request', name, bytes([selector]) + body.encode())
