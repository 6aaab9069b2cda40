/** An OFAC SDN.CSV as OFAC serves it, grown to tens of MB: `people` individuals and `vessels` vessels. */
export function largeSdnCsv(people: number, vessels: number): string {
  const rows: string[] = [];
  for (let i = 0; i < people; i++)
    rows.push(
      `${100000 + i},"PERSON ${i}, Name","individual","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Mar 1969; POB Nampo, Korea, North; nationality Korea, North; Gender Male; Passport ${i}; an address line that makes the row as long as OFAC's are, and then some more words ${i}."`,
    );
  for (let i = 0; i < vessels; i++) {
    // Ship IMO numbers with a valid check digit: six digits d1..d6, check = sum(d_k * (8 - k)) mod 10.
    const six = String(100000 + i * 37).slice(-6);
    const check = [...six].reduce((sum, d, k) => sum + Number(d) * (7 - k), 0) % 10;
    rows.push(
      `${900000 + i},"VESSEL ${i}","vessel","DPRK3",-0- ,-0- ,"Oil Tanker",-0- ,"1665","Korea, North",-0- ,"Vessel Registration Identification IMO ${six}${check}."`,
    );
  }
  return rows.join('\r\n') + '\r\n\x1a';
}
