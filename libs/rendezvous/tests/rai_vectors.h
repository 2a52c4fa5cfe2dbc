/*
 * Remote Assistance invitations for the tests: FreeRDP's published vectors
 * (libfreerdp/common/test/TestCommonAssistance.c) and the [MS-RAI] samples
 *
 * Copyright 2026 The wine-rendezvous authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#ifndef __WINE_RAI_VECTORS_H
#define __WINE_RAI_VECTORS_H

/*
 * Type 1 (Windows XP): RCTICKET only, no LHTICKET.  FreeRDP's text has no
 * space between the RCTICKET value and RCTICKETENCRYPTED (C string
 * concatenation), which XML does not allow; TYPE1_FILE_AS_PUBLISHED keeps
 * that, TYPE1_FILE has the space.
 */
#define TYPE1_PASSWORD "Password1"
#define TYPE1_RCTICKET "65538,1,10.0.3.105:3389;winxpsp3.contoso3.com:3389,*," \
    "rb+v0oPmEISmi8N2zK/vuhgul/ABqlDt6wW0VxMyxK8=,*,*,IuaRySSbPDNna4+2mKcsKxsbJFI="
#define TYPE1_FILE_HEAD "<?xml version=\"1.0\" encoding=\"Unicode\" ?>" \
    "<UPLOADINFO TYPE=\"Escalated\">" \
    "<UPLOADDATA " \
    "USERNAME=\"Administrator\" " \
    "RCTICKET=\"" TYPE1_RCTICKET "\""
#define TYPE1_FILE_TAIL "RCTICKETENCRYPTED=\"1\" " \
    "DtStart=\"1314905741\" " \
    "DtLength=\"180\" " \
    "PassStub=\"RT=0PvIndan52*\" " \
    "L=\"0\" />" \
    "</UPLOADINFO>"
#define TYPE1_FILE TYPE1_FILE_HEAD " " TYPE1_FILE_TAIL
#define TYPE1_FILE_AS_PUBLISHED TYPE1_FILE_HEAD TYPE1_FILE_TAIL
/* The PassStub encrypted with the password: the "expert blob" of the vectors. */
static const unsigned char type1_encrypted_passstub[32] =
{
    0x3c, 0x9c, 0xae, 0x0b, 0xce, 0x7a, 0xb1, 0x5c, 0x8a, 0xac, 0x01, 0xd6, 0x76, 0x04, 0x5e, 0xdf,
    0x3f, 0xfa, 0xf0, 0x92, 0xe2, 0xde, 0x36, 0x8a, 0x20, 0x17, 0xe6, 0x8a, 0x0d, 0xed, 0x7c, 0x90,
};

/* Type 2 (Windows Vista and later): LHTICKET holds connection string 2. */
#define TYPE2_PASSWORD "48BJQ853X3B4"
#define TYPE2_LHTICKET \
    "20FCC407AA53E95F8505AB56D485D26835064B03AF86CDA326248FD304626AD4" \
    "DBDBDFFE0C473228EFFF7A1E6CEB445BBEC429294BB6616BBB600854438DDFB5" \
    "82FC377CF65A2060EB3221647643C9B29BF5EC320856180B34D1BE9827A528C7" \
    "E8F0DCD53C8D38F974160FEE317458FAC9DBDBA7B972D21DF3BC5B1AF0E01878" \
    "65F07A3B915618C03E6EAF843FC1185770A1208C29C836DBCA5A040CB276D3C4" \
    "1DDE2FA8CA9627E5E74FA750A92C0E01AD6C3D1000A5B1479DEB899BF5BCD402" \
    "CE3BB3BF104CE0286C3F985AA711943C88C5EEEEE86F35B63F68883A90ADBCFD" \
    "CBBAE3EAB993EFD9148E1A21D092CE9498695943946236D65D20B4A38D724C61" \
    "72319E38E19C04E98EBC03F56A4A190E971F8EAEBFE6B415A3A2D8F35F7BF785" \
    "26B9BFAAB48D11BDD6C905EFE503D2265678E1EAD2F2F124E570667F04103180" \
    "2F63587276C14E6A5AB436CE234F722CE7C9B5D244508F14C012E84A49FE6992" \
    "3F30320ABB3641F1EFA66205F3EA709E7E1C3E6874BB9642486FB96D2730CDF4" \
    "514AA738167F00FC13B2978AED1D6678413FDF62008B03DD729E36173BE02742" \
    "B69CAD44938512D0F56335394759338AF6ADBCF39CE829116D97435085D05BB5" \
    "9320A134698050DCDBE01305A6B4712FD6BD48958BD2DC497498FF35CAECC9A8" \
    "2C97FD1A5B5EC4BAF5FFB75A1471B765C465B35A7C950019066BB219B391C6E9" \
    "8AE8FD2038E774F36F226D9FB9A38BCC313785612165D1EF69D19E2B9CF6E0F7" \
    "FE1ECCF00AB81F9E8B626363CA82FAC719A3B7D243325C9D6042B2488EC95B80" \
    "A31273FF9B72FBBB86F946E6D3DF8816BE4533F0B547C8BC028309EA9784C1E6"
#define TYPE2_RCTICKET "65538,1,192.168.1.200:49230;169.254.6.170:49231,*," \
    "+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL," \
    "*,*,BNRjdu97DyczQSRuMRrDWoue+HA="
#define TYPE2_FILE_WITH(start, length) "<?xml version=\"1.0\"?>" \
    "<UPLOADINFO TYPE=\"Escalated\">" \
    "<UPLOADDATA USERNAME=\"awake\" " \
    "LHTICKET=\"" TYPE2_LHTICKET "\" " \
    "RCTICKET=\"" TYPE2_RCTICKET "\" " \
    "PassStub=\"WB^6HsrIaFmEpi\" " \
    "RCTICKETENCRYPTED=\"1\" " \
    "DtStart=\"" start "\" " \
    "DtLength=\"" length "\" " \
    "L=\"0\"/>" \
    "</UPLOADINFO>"
#define TYPE2_FILE TYPE2_FILE_WITH("1403972263", "14400")
/* What LHTICKET decrypts to (the vectors' comment, as one line), before its CR LF. */
#define TYPE2_STRING2 "<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\" " \
    "ID=\"+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL\"/>" \
    "<C><T ID=\"1\" SID=\"0\">" \
    "<L P=\"49228\" N=\"fe80::1032:53d9:5a01:909b%3\"/>" \
    "<L P=\"49229\" N=\"fe80::3d8f:9b2d:6b4e:6aa%6\"/>" \
    "<L P=\"49230\" N=\"192.168.1.200\"/>" \
    "<L P=\"49231\" N=\"169.254.6.170\"/>" \
    "</T></C></E>"

/* [MS-RAI] 2.2.1's sample connection string 1. */
#define MSRAI_STRING1 "65538,1,172.31.243.138:3389;MIKE_HOME:3389,*," \
    "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=,*,*,RcfwecK8dpcT1fjZ6iQ5M0+q7iU="

/* [MS-RAI] 6's sample invitation file of the first type, as the document
 * lays it out, but for the RCTICKET value, which the page wraps. */
#define MSRAI_FILE "<?xml version=\"1.0\" encoding=\"Unicode\" ?>\r\n" \
    "    <UPLOADINFO TYPE=\"Escalated\">\r\n" \
    "        <UPLOADDATA \r\n" \
    "            USERNAME=\"jeff\" \r\n" \
    "            RCTICKET=\"65538,1,192.168.1.65:3389;jeff_xp:3389,*,ot9B5Ut8n6FmiIOr2Aa915WwuLcMdtNl5AoXFiA4wLg=," \
    "*,*,5nKH3X0Ikre0jjL9SaRlfN10p9o=\" \r\n" \
    "            RCTICKETENCRYPTED=\"1\" \r\n" \
    "            DtStart=\"1160080069\" \r\n" \
    "            DtLength=\"60\" \r\n" \
    "            PassStub=\"o2*5GdBARK_JBB\" \r\n" \
    "            L=\"0\" />\r\n" \
    "    </UPLOADINFO>\r\n"

#endif /* __WINE_RAI_VECTORS_H */
