import { createFairQueue } from "@enis/fairness";
const N=10000,E=1_000_000,B=20000;
const ids=Array.from({length:N},(_,i)=>`tenant-${i}`);
// zipf via simple inverse
const cum=new Float64Array(N); let tot=0; for(let r=0;r<N;r++){tot+=1/(r+1);cum[r]=tot;}
let seed=1; const rnd=()=>{seed=(seed*1103515245+12345)>>>0; return seed/4294967296;};
const arr=new Int32Array(E); for(let d=0;d<E;d++){const t=rnd()*tot; let lo=0,hi=N-1; while(lo<hi){const m=(lo+hi)>>1; if(cum[m]<t) lo=m+1; else hi=m;} arr[d]=(lo*7919)%N;}
for(let k=0;k<12;k++){
  const q=createFairQueue();
  const s=process.hrtime.bigint();
  let n=0; for(;n<B;n++) q.enqueue(ids[arr[n]],n);
  for(;n<E;n++){q.enqueue(ids[arr[n]],n); q.dequeue();}
  for(let i=0;i<B;i++) q.dequeue();
  if(k>=5) console.log((2*E/(Number(process.hrtime.bigint()-s)/1e9)/1e6).toFixed(2));
}
